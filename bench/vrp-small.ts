/**
 * `waymark bench vrp --small [--jobs 5,10,25,50,100]`: how fast small problems answer with the
 * default time limit (the search stops once converged, or enumerates one vehicle's tiny problem):
 * random jobs on a plane with a duration matrix, one van per 15 jobs, a third of the jobs with time
 * windows; solved in-process and over `POST /vrp` on a real listener (an in-process server with no
 * map: the matrix comes with the problem). Prints seconds, cost, iterations and the stop reason; the
 * baseline from the same run is the same problem with `run_to_time_limit` (the old behaviour).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WaymarkServer } from '../src/server/app.js';
import { defaultConfig } from '../src/server/config.js';
import { solveVroom } from '../src/vrp/solve.js';
import type { VroomProblem } from '../src/vrp/types.js';

export function smallProblem(jobs: number, seed: number): VroomProblem {
  let x = seed;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const points = Array.from({ length: jobs + 1 }, () => [rnd() * 10000, rnd() * 10000]);
  const durations = points.map((a) => points.map((b) => Math.round(Math.hypot(a[0] - b[0], a[1] - b[1]) / 10)));
  return {
    vehicles: Array.from({ length: Math.max(1, Math.ceil(jobs / 15)) }, (_, i) => ({ id: i + 1, start_index: 0, end_index: 0, capacity: [15], time_window: [0, 28800] })),
    jobs: Array.from({ length: jobs }, (_, i) => ({
      id: i + 1,
      location_index: i + 1,
      service: 300,
      delivery: [1],
      ...(i % 3 === 0 ? { time_windows: [[3600 * (i % 5), 3600 * (i % 5) + 10800]] } : {}),
    })),
    matrices: { car: { durations } },
  };
}

export async function benchVrpSmall(options: { jobs: number[]; seed: number; json: boolean }): Promise<Record<string, unknown>[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'waymark-bench-small-'));
  const server = new WaymarkServer({ ...defaultConfig({}), port: 0, workers: 1, logLevel: 'warn', dataDir });
  const base = await server.listen();
  const rows: Record<string, unknown>[] = [];
  try {
    // The first request starts the solver worker thread: not part of any figure.
    await (await fetch(`${base}/vrp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(smallProblem(3, options.seed)) })).arrayBuffer();
    if (!options.json) process.stdout.write('jobs  in-process s  POST /vrp s  stop reason  iterations        cost  | run to limit s        cost\n');
    for (const jobs of options.jobs) {
      const problem = smallProblem(jobs, options.seed);
      const t0 = performance.now();
      const local = solveVroom(problem, { seed: options.seed }).solution;
      const inProcess = (performance.now() - t0) / 1000;
      const t1 = performance.now();
      const res = await fetch(`${base}/vrp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...problem, options: { seed: options.seed } }) });
      const remote = (await res.json()) as { summary: { cost: number; search: { stop_reason: string; iterations: number } } };
      const http = (performance.now() - t1) / 1000;
      if (res.status !== 200) throw new Error(`POST /vrp answered ${res.status}: ${JSON.stringify(remote)}`);
      const t2 = performance.now();
      const full = solveVroom(problem, { seed: options.seed, runToTimeLimit: true }).solution;
      const fullSeconds = (performance.now() - t2) / 1000;
      const row = {
        jobs,
        in_process_s: Math.round(inProcess * 1000) / 1000,
        post_vrp_s: Math.round(http * 1000) / 1000,
        stop_reason: local.summary.search.stop_reason,
        iterations: local.summary.search.iterations,
        cost: local.summary.cost,
        post_vrp_cost: remote.summary.cost,
        run_to_limit_s: Math.round(fullSeconds * 1000) / 1000,
        run_to_limit_cost: full.summary.cost,
      };
      rows.push(row);
      if (!options.json) {
        process.stdout.write(
          `${String(jobs).padStart(4)}  ${row.in_process_s.toFixed(3).padStart(12)}  ${row.post_vrp_s.toFixed(3).padStart(11)}  ${row.stop_reason.padEnd(11)}  ${String(row.iterations).padStart(10)}  ${String(row.cost).padStart(10)}  | ${row.run_to_limit_s.toFixed(3).padStart(14)}  ${String(row.run_to_limit_cost).padStart(10)}\n`,
        );
      }
    }
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (options.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  return rows;
}
