/**
 * `waymark bench vrp --road <maps or pbfs> --jobs 200,1000 --vehicles K --seed S [--times 5,30,60]`:
 * planner-shaped problems on a real extract (bench/road-problem.ts), solved in-process the way
 * `waymark vrp --map` solves them: snap every stop, compute the matrix, search, check. Prints matrix
 * ms (snapping included), solve s, cost, routes, unassigned, the largest snap and the snaps over
 * 100 m; and, as the baseline measured in the same run, the cost of the first solution (no search)
 * and how many stops the old 1 km snapping default would have refused (each one refused the whole
 * problem). With several --times, each problem is solved once per time limit (the same seed), and
 * the CPU seconds of each solve are printed beside the wall seconds (the machine may be shared).
 * --write-problems <dir> writes each problem with its matrices (VROOM format, location indices), so
 * VROOM can be run on exactly the same numbers outside the repository.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { openMapFile } from '../src/maps/open.js';
import { native } from '../src/native/index.js';
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
  /** Time limits to solve each problem at (default: [timeLimit]). */
  times?: number[];
  offRoad?: number;
  /** Confine the stops to a square of this side (km) around a random road point of the map. */
  areaKm?: number;
  /** Write each problem with its matrices here (VROOM format). */
  writeProblems?: string;
  json: boolean;
}

/** The problem as VROOM reads it, on the matrices Waymark computed (location indices). */
function withMatrices(problem: Record<string, unknown>, model: ReturnType<typeof parseProblem>): Record<string, unknown> {
  const n = model.locations;
  const rows = (m: Int32Array) => Array.from({ length: n }, (_, i) => Array.from(m.subarray(i * n, (i + 1) * n)));
  const index = new Map(model.coordinates!.map((c, i) => [`${c[0]},${c[1]}`, i]));
  const at = (c: unknown) => index.get(`${(c as number[])[0]},${(c as number[])[1]}`);
  const p = structuredClone(problem) as { vehicles: Record<string, unknown>[]; jobs: Record<string, unknown>[] };
  for (const v of p.vehicles) {
    v.start_index = at(v.start);
    v.end_index = at(v.end);
  }
  for (const j of p.jobs) j.location_index = at(j.location);
  return { ...p, matrices: { car: { durations: rows(model.types[0].duration), distances: rows(model.types[0].distance) } } };
}

export function benchRoadVrp(inputs: string[], options: RoadVrpBenchOptions): Record<string, unknown>[] {
  return inputs.flatMap((input) => benchRoadVrpOn(input, options));
}

function benchRoadVrpOn(input: string, options: RoadVrpBenchOptions): Record<string, unknown>[] {
  const times = options.times ?? [options.timeLimit];
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
    // The area's centre is a random road point (seeded): the bbox centre of a synthetic region may be
    // between its towns.
    const c = native.randomRoadPoints(map.handle, 1, options.seed + 1);
    const area = options.areaKm !== undefined ? { centre: [c[0], c[1]] as [number, number], km: options.areaKm } : undefined;
    if (!options.json) {
      process.stdout.write(`road VRP on ${name}: ${addresses.length} building addresses${area ? `, stops within a ${area.km} km square around ${area.centre.join(',')}` : ''}, time limits ${times.join(', ')} s, seed ${options.seed}\n`);
      process.stdout.write('jobs  vans  off-road  matrix ms  limit s  first s  solve s  cpu s        cost  routes  unassigned  max snap m  snaps>100m  refused@1km  first cost  search gain\n');
    }
    options.jobs.forEach((jobs, k) => {
      const vehicles = options.vehicles[Math.min(k, options.vehicles.length - 1)];
      const generated = roadProblem(map.handle, { jobs, vehicles, seed: options.seed, addresses, ...(area ? { area } : {}), ...(options.offRoad !== undefined ? { offRoad: options.offRoad } : {}) });
      const m0 = performance.now();
      const model = parseProblem(generated.problem, mapMatrixProvider({ car: map.handle }));
      const matrixMs = performance.now() - m0;
      if (options.writeProblems) {
        mkdirSync(options.writeProblems, { recursive: true });
        writeFileSync(join(options.writeProblems, `${name}-${jobs}-seed${options.seed}.json`), JSON.stringify(withMatrices(generated.problem as unknown as Record<string, unknown>, model)));
      }
      // Baseline: the first solution (construction and local search, no ruin-and-recreate).
      const first = solveModel(model, { timeLimit: 0, seed: options.seed }, 0, matrixMs / 1000);
      for (const timeLimit of times) {
        const c0 = process.cpuUsage();
        const s0 = performance.now();
        const solution = solveModel(model, { timeLimit, seed: options.seed }, 0, matrixMs / 1000);
        const solveS = (performance.now() - s0) / 1000;
        const cpu = process.cpuUsage(c0);
        const cpuS = (cpu.user + cpu.system) / 1e6;
        const placements = model.snapping!.placements.car;
        const refused = placements.filter((p) => !('location' in p) || p.distance > 1000).length;
        const row = {
          map: name,
          jobs,
          vehicles,
          addresses: generated.addressSource,
          off_road_stops: generated.offRoad,
          matrix_ms: Math.round(matrixMs),
          time_limit_s: timeLimit,
          first_s: solution.summary.search.first_solution / 1000,
          stop_reason: solution.summary.search.stop_reason,
          solve_s: Math.round(solveS * 100) / 100,
          cpu_s: Math.round(cpuS * 100) / 100,
          cost: solution.summary.cost,
          routes: solution.summary.routes,
          unassigned: solution.summary.unassigned,
          unassigned_codes: Object.fromEntries([...new Set(solution.unassigned.map((u) => u.code))].map((c) => [c, solution.unassigned.filter((u) => u.code === c).length])),
          max_snap_m: solution.summary.snapping!.max_distance,
          snaps_over_100m: solution.summary.snapping!.over_threshold,
          refused_at_1km: refused,
          first_cost: first.summary.cost,
          search_gain_pct: Math.round((1 - solution.summary.cost / first.summary.cost) * 1000) / 10,
        };
        rows.push(row);
        if (!options.json) {
          process.stdout.write(
            `${String(jobs).padStart(4)}  ${String(vehicles).padStart(4)}  ${String(generated.offRoad).padStart(8)}  ${String(row.matrix_ms).padStart(9)}  ${String(timeLimit).padStart(7)}  ${fmt(row.first_s, 2).padStart(7)}  ${fmt(solveS, 2).padStart(7)}  ${fmt(cpuS, 1).padStart(5)}  ${String(row.cost).padStart(10)}  ${String(row.routes).padStart(6)}  ${(String(row.unassigned) + (row.unassigned ? ` ${Object.entries(row.unassigned_codes).map(([c, k]) => `${c}:${k}`).join(',')}` : '')).padStart(10)}  ${fmt(row.max_snap_m, 1).padStart(10)}  ${String(row.snaps_over_100m).padStart(10)}  ${String(refused).padStart(11)}  ${String(row.first_cost).padStart(10)}  ${fmt(row.search_gain_pct, 1).padStart(10)} %\n`,
          );
        }
      }
    });
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  if (options.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  return rows;
}
