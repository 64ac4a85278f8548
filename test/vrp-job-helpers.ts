/** Small VRP problems on the monaco map and HTTP helpers for the job API (tests and the jobs benchmark). */
export const depot: [number, number] = [7.4197, 43.7314];
const stops: [number, number][] = [
  [7.4265, 43.739],
  [7.4163, 43.7334],
  [7.423, 43.736],
  [7.43, 43.742],
  [7.418, 43.732],
  [7.4215, 43.7375],
];

/** `description` (a tag that makes bodies differ) goes on the first vehicle: problems take only VROOM's fields. */
export function vrpProblem(timeLimit: number, extra: Record<string, unknown> = {}) {
  const { description, ...rest } = extra;
  return {
    vehicles: [{ id: 1, start: depot, end: depot, capacity: [10], ...(description !== undefined ? { description: String(description) } : {}) }, { id: 2, start: depot, end: depot, capacity: [10] }],
    jobs: stops.map((location, i) => ({ id: i + 1, location, service: 120, delivery: [2] })),
    // Searching until the limit: job tests need solves that are still running when they look.
    options: { time_limit: timeLimit, seed: 3, run_to_time_limit: true },
    ...rest,
  };
}

/** The smallest useful problem: one vehicle, two stops, no search time (queue overhead only). */
export function trivialProblem(tag: string | number) {
  return {
    vehicles: [{ id: 1, start: depot, end: depot, description: String(tag) }],
    jobs: stops.slice(0, 2).map((location, i) => ({ id: i + 1, location })),
    options: { time_limit: 0 },
  };
}

export async function postJob(base: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(base + '/vrp/jobs', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json(), headers: res.headers };
}

export async function getJob(base: string, id: string): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}/vrp/jobs/${id}`);
  return { status: res.status, json: await res.json() };
}

/** Polls until the job has one of the statuses (answers other than 200, e.g. 503 while the database restarts, are retried). */
export async function waitForJob(base: string, id: string, statuses: string[], timeoutMs = 60_000, everyMs = 100): Promise<any> {
  const started = Date.now();
  let last = '';
  for (;;) {
    try {
      const r = await getJob(base, id);
      last = `${r.status} ${r.json.status ?? r.json.code}`;
      if (r.status === 200 && statuses.includes(r.json.status)) return r.json;
    } catch (err) {
      last = String(err);
    }
    if (Date.now() - started > timeoutMs) throw new Error(`job ${id} did not reach ${statuses.join('/')}: last ${last}`);
    await new Promise((res) => setTimeout(res, everyMs));
  }
}
