import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkSolution } from '../src/vrp/checker.js';
import { parseProblem } from '../src/vrp/model.js';
import { mapMatrixProvider } from '../src/vrp/solve.js';
import type { VroomSolution } from '../src/vrp/types.js';
import type { WaymarkServer } from '../src/server/app.js';
import { monacoMap, tempDir } from './helpers.js';
import { getJson, startChildServer, startServer, stopChild } from './server-helpers.js';

const depot: [number, number] = [7.4197, 43.7314];
const stops: [number, number][] = [
  [7.4265, 43.739],
  [7.4163, 43.7334],
  [7.423, 43.736],
  [7.43, 43.742],
  [7.418, 43.732],
  [7.4215, 43.7375],
];

/** `description` (a tag that makes bodies differ) goes on the first vehicle: problems take only VROOM's fields. */
function problem(timeLimit: number, extra: Record<string, unknown> = {}) {
  const { description, ...rest } = extra;
  return {
    vehicles: [{ id: 1, start: depot, end: depot, capacity: [10], ...(description !== undefined ? { description: String(description) } : {}) }, { id: 2, start: depot, end: depot, capacity: [10] }],
    jobs: stops.map((location, i) => ({ id: i + 1, location, service: 120, delivery: [2] })),
    // Searching until the limit: job tests need solves that are still running when they look.
    options: { time_limit: timeLimit, seed: 3, run_to_time_limit: true },
    ...rest,
  };
}

async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as any, headers: res.headers };
}

async function waitFor(base: string, id: string, statuses: string[], timeoutMs = 30_000) {
  const started = Date.now();
  for (;;) {
    const r = await getJson(base, `/vrp/jobs/${id}`);
    if (statuses.includes(r.json.status)) return r.json;
    if (Date.now() - started > timeoutMs) throw new Error(`job ${id} stayed ${r.json.status}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

async function checked(solution: VroomSolution, body: ReturnType<typeof problem>) {
  const { map } = await monacoMap();
  const { options: _options, ...vroom } = body;
  const model = parseProblem(vroom, mapMatrixProvider({ car: map.handle }));
  assert.deepEqual(checkSolution(model, solution), [], 'the checker accepts the solution');
}

describe('VRP over HTTP', () => {
  let server: WaymarkServer;
  let base: string;
  before(async () => {
    ({ server, base } = await startServer({ maxConcurrentSolves: 1, bodyLimitBytes: 256 * 1024 }));
  });
  after(async () => {
    await server.close();
  });

  it('POST /vrp solves synchronously and returns a checked VROOM solution', async () => {
    const body = problem(0.3);
    const r = await post(base, '/vrp', body);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.code, 0);
    assert.equal(r.json.summary.unassigned, 0);
    await checked(r.json, body);
  });

  it('POST /vrp answers a 7-task problem at once: the search stops when converged, not at a time limit', async () => {
    const seven = [...stops, [7.4245, 43.7402] as [number, number]];
    const body = {
      vehicles: [{ id: 1, start: depot, end: depot, capacity: [10] }, { id: 2, start: depot, end: depot, capacity: [10] }],
      jobs: seven.map((location, i) => ({ id: i + 1, location, service: 120, delivery: [2] })),
      options: { seed: 3 },
    };
    const r = await post(base, '/vrp', body);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.summary.unassigned, 0);
    assert.equal(r.json.summary.search.stop_reason, 'converged');
    assert.equal(r.json.summary.search.time_limit, 1, 'the default time limit of a 7-task problem');
    assert.ok(r.json.summary.search.iterations <= 2 * 20_000, `iterations ${r.json.summary.search.iterations}`);
    await checked(r.json, body as unknown as ReturnType<typeof problem>);
    // One vehicle: enumerated, optimal, no search at all.
    const single = { ...body, vehicles: [{ id: 1, start: depot, end: depot }] };
    const s = await post(base, '/vrp', single);
    assert.equal(s.status, 200, JSON.stringify(s.json));
    assert.deepEqual({ ...s.json.summary.search, first_solution: 0 }, { iterations: 0, stop_reason: 'exhaustive', time_limit: 1, first_solution: 0 });
    await checked(s.json, single as unknown as ReturnType<typeof problem>);
  });

  it('POST /vrp/jobs answers 202 with a Location, and the job runs to a solution', async () => {
    const body = problem(0.3);
    const r = await post(base, '/vrp/jobs', body);
    assert.equal(r.status, 202);
    assert.equal(r.json.status, 'queued');
    assert.equal(r.headers.get('location'), `/vrp/jobs/${r.json.id}`);
    const done = await waitFor(base, r.json.id, ['succeeded', 'failed']);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.ok(done.finished_at && done.started_at);
    await checked(done.solution, body);
  });

  it('honours Idempotency-Key: same body, same job; other body, 422', async () => {
    const body = problem(0.2);
    const key = `key-${Date.now()}`;
    const first = await post(base, '/vrp/jobs', body, { 'idempotency-key': key });
    const again = await post(base, '/vrp/jobs', body, { 'idempotency-key': key });
    assert.equal(first.status, 202);
    assert.equal(again.status, 202);
    assert.equal(again.json.id, first.json.id, 'no second job');
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    const other = await post(base, '/vrp/jobs', problem(0.25), { 'idempotency-key': key });
    assert.equal(other.status, 422);
    assert.equal(other.json.code, 'IdempotencyConflict');
    await waitFor(base, first.json.id, ['succeeded']);
  });

  it('cancels a running solve within a second, keeping its best solution', async () => {
    const r = await post(base, '/vrp/jobs', problem(60));
    await waitFor(base, r.json.id, ['running']);
    await new Promise((res) => setTimeout(res, 300));
    const live = await getJson(base, `/vrp/jobs/${r.json.id}`);
    assert.ok(live.json.progress.elapsed_s > 0, 'progress while running');
    const del = await fetch(`${base}/vrp/jobs/${r.json.id}`, { method: 'DELETE' });
    assert.equal(del.status, 202);
    const cancelled = await waitFor(base, r.json.id, ['cancelled'], 1500);
    assert.ok(cancelled.solution, 'the best solution so far is kept');
    assert.equal(cancelled.solution.summary.unassigned, 0);
    const again = await fetch(`${base}/vrp/jobs/${r.json.id}`, { method: 'DELETE' });
    assert.equal(again.status, 200);
  });

  it('runs at most N solves at once; the rest wait queued; the event loop stays responsive', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await post(base, '/vrp/jobs', problem(3, { description: `q${i}` }))).json.id);
    await waitFor(base, ids[0], ['running']);
    const statuses = await Promise.all(ids.map(async (id) => (await getJson(base, `/vrp/jobs/${id}`)).json.status));
    assert.deepEqual(statuses, ['running', 'queued', 'queued']);
    // /health/live answers while a solver works on another thread: all ten answers arrive while the
    // 3-second solve is still running (a solve blocking the event loop would hold them until it
    // ended). Ordering, not wall time, so a loaded machine cannot fail it.
    for (let i = 0; i < 10; i++) assert.equal((await getJson(base, '/health/live')).status, 200);
    assert.equal((await getJson(base, `/vrp/jobs/${ids[0]}`)).json.status, 'running', 'liveness answered while the solve was still running');
    const metrics = String((await getJson(base, '/metrics')).json);
    assert.match(metrics, /waymark_vrp_jobs\{status="queued"\} 2/);
    for (const id of ids) await fetch(`${base}/vrp/jobs/${id}`, { method: 'DELETE' });
    for (const id of ids) await waitFor(base, id, ['cancelled']);
  });

  it('rejects bad problems before queueing them', async () => {
    const bad = problem(1) as Record<string, unknown>;
    (bad.jobs as { id: number }[])[2].id = 1;
    const dup = await post(base, '/vrp/jobs', bad);
    assert.equal(dup.status, 400);
    assert.equal(dup.json.code, 'InvalidValue');
    assert.match(dup.json.message, /jobs\[2\]\.id: duplicate job id 1/);
    const noVehicles = await post(base, '/vrp', { jobs: [] });
    assert.equal(noVehicles.status, 400);
    // The solver's benchmarking switches (`waymark bench vrp --cpu-time --search`) are not API options.
    for (const [path, options] of [['/vrp', { cpu_time_limit: true }], ['/vrp/jobs', { search: 'hgs' }]] as const) {
      const refused = await post(base, path, { ...problem(1), options });
      assert.equal(refused.status, 400, path);
      assert.equal(refused.json.code, 'UnknownField');
      assert.match(refused.json.message, new RegExp(`^options\\.${Object.keys(options)[0]}: is not an option`));
    }
    const unknownProfile = await post(base, '/vrp/jobs', problem(1, { vehicles: [{ id: 1, start: depot, profile: 'boat' }] }));
    assert.equal(unknownProfile.status, 400);
    assert.match(unknownProfile.json.message, /vehicles\[0\]\.profile/);
    const huge = await post(base, '/vrp/jobs', { ...problem(1), padding: 'x'.repeat(300 * 1024) });
    assert.equal(huge.status, 413);
    assert.equal((await getJson(base, '/vrp/jobs/no-such-job')).status, 404);
    assert.equal((await fetch(`${base}/vrp/jobs/no-such-job`, { method: 'DELETE' })).status, 404);
    const openapi = await getJson(base, '/openapi.json');
    for (const path of ['/vrp', '/vrp/jobs', '/vrp/jobs/{id}']) assert.ok(path in openapi.json.paths, path);
  });
});

describe('VRP jobs survive SIGKILL', () => {
  const startChild = (mapPath: string, dataDir: string) =>
    startChildServer([mapPath, '--port', '0', '--workers', '1', '--max-solves', '1', '--data-dir', dataDir]);

  it('keeps finished results, re-runs the job that was running and runs the queued one', async () => {
    const { path } = await monacoMap();
    const dataDir = tempDir('waymark-jobs-');
    const first = await startChild(path, dataDir);
    const done = await post(first.base, '/vrp/jobs', problem(0.2));
    await waitFor(first.base, done.json.id, ['succeeded']);
    const running = await post(first.base, '/vrp/jobs', problem(4));
    const queued = await post(first.base, '/vrp/jobs', problem(0.2, { description: 'queued' }));
    await waitFor(first.base, running.json.id, ['running']);
    await stopChild(first.child, 'SIGKILL');

    const second = await startChild(path, dataDir);
    try {
      const kept = await getJson(second.base, `/vrp/jobs/${done.json.id}`);
      assert.equal(kept.json.status, 'succeeded');
      assert.ok(kept.json.solution);
      const rerun = await waitFor(second.base, running.json.id, ['succeeded', 'failed'], 30_000);
      assert.equal(rerun.status, 'succeeded');
      const later = await waitFor(second.base, queued.json.id, ['succeeded', 'failed'], 30_000);
      assert.equal(later.status, 'succeeded');
    } finally {
      await stopChild(second.child);
    }
  });
});
