/**
 * `waymark bench vrp --road <map or pbf> --jobs 200,1000 --vehicles K --seed S [--time-limit S]`:
 * planner-shaped problems on a real extract (bench/road-problem.ts), solved in-process the way
 * `waymark vrp --map` solves them: snap every stop, compute the matrix, search, check. Prints matrix
 * ms (snapping included), solve s, cost, routes, unassigned, the largest snap and the snaps over
 * 100 m; and, as the baseline measured in the same run, the cost of the first solution (no search)
 * and how many stops the old 1 km snapping default would have refused (each one refused the whole
 * problem).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { openMapFile } from '../src/maps/open.js';
import { parseProblem } from '../src/vrp/model.js';
import { mapMatrixProvider, solveModel } from '../src/vrp/solve.js';
import { benchBuildOne } from './build.js';
import { buildingCentroids, roadProblem } from './road-problem.js';
import { fmt } from './stats.js';

export interface RoadVrpBenchOptions {
  jobs: number[];
  vehicles: number[];
  seed: number;
  timeLimit: number;
  offRoad?: number;
  json: boolean;
}

export function benchRoadVrp(input: string, options: RoadVrpBenchOptions): Record<string, unknown>[] {
  let mapPath = input;
  let dir: string | undefined;
  let addresses: [number, number][] = [];
  if (input.endsWith('.pbf')) {
    dir = mkdtempSync(join(tmpdir(), 'waymark-bench-road-'));
    mapPath = join(dir, 'car.wmap');
    benchBuildOne(input, 'car', mapPath);
    addresses = buildingCentroids(input);
  }
  const rows: Record<string, unknown>[] = [];
  try {
    const map = openMapFile(mapPath);
    const name = basename(input).replace(/\.(osm\.pbf|wmap)$/, '');
    if (!options.json) {
      process.stdout.write(`road VRP on ${name}: ${addresses.length} building addresses, time limit ${options.timeLimit} s, seed ${options.seed}\n`);
      process.stdout.write('jobs  vans  off-road  matrix ms  first s  solve s        cost  routes  unassigned  max snap m  snaps>100m  refused@1km  first cost (unassigned)  search gain\n');
    }
    options.jobs.forEach((jobs, k) => {
      const vehicles = options.vehicles[Math.min(k, options.vehicles.length - 1)];
      const generated = roadProblem(map.handle, { jobs, vehicles, seed: options.seed, addresses, ...(options.offRoad !== undefined ? { offRoad: options.offRoad } : {}) });
      const m0 = performance.now();
      const model = parseProblem(generated.problem, mapMatrixProvider({ car: map.handle }));
      const matrixMs = performance.now() - m0;
      // Baseline: the first solution (construction and local search, no ruin-and-recreate).
      const first = solveModel(model, { timeLimit: 0, seed: options.seed }, 0, matrixMs / 1000);
      const s0 = performance.now();
      const solution = solveModel(model, { timeLimit: options.timeLimit, seed: options.seed }, 0, matrixMs / 1000);
      const solveS = (performance.now() - s0) / 1000;
      const placements = model.snapping!.placements.car;
      const refused = placements.filter((p) => !('location' in p) || p.distance > 1000).length;
      const row = {
        map: name,
        jobs,
        vehicles,
        addresses: generated.addressSource,
        off_road_stops: generated.offRoad,
        matrix_ms: Math.round(matrixMs),
        first_s: solution.summary.search.first_solution / 1000,
        solve_s: Math.round(solveS * 100) / 100,
        stop_reason: solution.summary.search.stop_reason,
        cost: solution.summary.cost,
        routes: solution.summary.routes,
        unassigned: solution.summary.unassigned,
        unassigned_codes: Object.fromEntries([...new Set(solution.unassigned.map((u) => u.code))].map((c) => [c, solution.unassigned.filter((u) => u.code === c).length])),
        max_snap_m: solution.summary.snapping!.max_distance,
        snaps_over_100m: solution.summary.snapping!.over_threshold,
        refused_at_1km: refused,
        first_cost: first.summary.cost,
        first_unassigned: first.summary.unassigned,
        search_gain_pct: Math.round((1 - solution.summary.cost / first.summary.cost) * 1000) / 10,
      };
      rows.push(row);
      if (!options.json) {
        process.stdout.write(
          `${String(jobs).padStart(4)}  ${String(vehicles).padStart(4)}  ${String(generated.offRoad).padStart(8)}  ${String(row.matrix_ms).padStart(9)}  ${fmt(row.first_s, 2).padStart(7)}  ${fmt(solveS, 2).padStart(7)}  ${String(row.cost).padStart(10)}  ${String(row.routes).padStart(6)}  ${(String(row.unassigned) + (row.unassigned ? ` ${Object.entries(row.unassigned_codes).map(([c, k]) => `${c}:${k}`).join(',')}` : '')).padStart(10)}  ${fmt(row.max_snap_m, 1).padStart(10)}  ${String(row.snaps_over_100m).padStart(10)}  ${String(refused).padStart(11)}  ${`${row.first_cost} (${row.first_unassigned})`.padStart(22)}  ${fmt(row.search_gain_pct, 1).padStart(10)} %\n`,
        );
      }
    });
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  if (options.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  return rows;
}
