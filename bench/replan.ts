/**
 * `waymark bench replan --road <map or pbf> [--jobs 1000] [--vehicles 50] [--new-percent 5]
 * [--base-time 30] [--replan-time 2] [--scratch-time 30] [--seed S] [--cpu-time] [--threads N]
 * [--reuse <dir>] [--replans N] [--replan-iterations N] [--scratch-runs N] [--plans N] [--json]`: the quality of
 * re-optimising a live plan. A planner's day on a real extract (bench/road-problem.ts) is solved;
 * then new orders arrive (the generator's next stops, so the same seed gives the same day) and the
 * changed problem is solved twice, as POST /vrp/jobs/{id}/replan does (replanProblem, the previous
 * routes as the warm start, a short limit) and from scratch with a long limit: the baseline measured
 * in the same run. Prints cost, routes, unassigned, wall and CPU seconds, and the replan's cost
 * above the from-scratch solve. `--cpu-time` makes every limit a CPU budget (limit x threads
 * CPU-seconds, as `bench vrp --cpu-time`), so that the load on a shared machine does not distort
 * the 2 s vs 30 s comparison. `--reuse <dir>` keeps the plan and the from-scratch solution there
 * (one file per parameter set) and reads them back on the next run, so that work on the replan
 * measures only the replan. `--replans N` solves the replan N times (solver seeds S, S+1, ...; the
 * same problem and warm start) and prints each one's gap, their mean and their max: one replan's
 * cost varies by about a point between solver seeds, more than most changes to the replan path.
 * `--replan-iterations N` caps every replan's search threads at N iterations each (no exchange
 * between them): the search is then the same on any machine at any load, for side-by-side
 * comparisons of changes to the replan path without the load's noise (the limit still bounds them).
 * The warm start's first steps (soft insertion, ejection) still stop at their share of the time
 * limit, so a build or machine fast enough to get further in them can give another replan.
 * `--scratch-runs N` solves the changed problem from scratch N times (solver seeds S, S+1, ...) and
 * measures the replans against the mean of those costs as well: a 30 s solve of a 1,050-task day
 * itself varies by 1-2 % between solver seeds, so one draw as the reference moves the gap by as much.
 * `--plans N` does all of it for N days (seeds S, S+1, ...; each day exactly as `--seed` of its own)
 * on one map build, and prints the mean over all their replans: one day's replans lie more than a
 * point from another's (twelve days, three passes: per-day means -0.01 to +1.35 %), so the goal's
 * figure is a mean over many days.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { openMapFile } from '../src/maps/open.js';
import type { MapHandle } from '../src/native/index.js';
import { parseProblem } from '../src/vrp/model.js';
import { replanProblem } from '../src/vrp/replan.js';
import { mapMatrixProvider, solveModel } from '../src/vrp/solve.js';
import type { VroomSolution } from '../src/vrp/types.js';
import { benchBuildOne } from './build.js';
import { buildingCentroids, roadProblem } from './road-problem.js';
import { mean } from './stats.js';

export interface ReplanBenchOptions {
  jobs: number;
  vehicles: number;
  newPercent: number;
  baseTime: number;
  replanTime: number;
  scratchTime: number;
  seed: number;
  cpuTime?: boolean;
  threads?: number;
  reuse?: string;
  /** Replans of the same warm start (solver seeds seed, seed + 1, ...); default 1. */
  replans?: number;
  /** Iterations per search thread of each replan (deterministic replans); default: none. */
  replanIterations?: number;
  /** From-scratch solves of the changed problem (solver seeds seed, seed + 1, ...); default 1. */
  scratchRuns?: number;
  /** Days (seeds seed, seed + 1, ...), each solved as with --seed alone; default 1. */
  plans?: number;
  json: boolean;
}

interface Timed {
  solution: VroomSolution;
  wall: number;
  cpu: number;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)} %`;

function timed(f: () => VroomSolution): Timed {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const solution = f();
  const c = process.cpuUsage(c0);
  return { solution, wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

export function benchReplan(input: string, options: ReplanBenchOptions): Record<string, unknown> {
  let mapPath = input;
  let dir: string | undefined;
  let addresses: [number, number][] = [];
  if (input.endsWith('.pbf')) {
    dir = mkdtempSync(join(tmpdir(), 'waymark-bench-replan-'));
    mapPath = join(dir, 'car.wmap');
    benchBuildOne(input, 'car', mapPath);
    addresses = buildingCentroids(input);
  }
  try {
    const map = openMapFile(mapPath);
    const name = basename(input).replace(/\.(osm\.pbf|wmap)$/, '');
    const plans = Math.max(1, options.plans ?? 1);
    if (plans === 1) {
      const { out } = replanDay(map.handle, name, addresses, options);
      if (options.json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      return out;
    }
    const days = Array.from({ length: plans }, (_, k) => replanDay(map.handle, name, addresses, { ...options, seed: options.seed + k }));
    // Every replan of every day, unrounded.
    const gaps = days.flatMap((d) => d.gaps);
    const gapsMean = days.flatMap((d) => d.gapsMean);
    const out = {
      map: name,
      jobs: options.jobs,
      vehicles: options.vehicles,
      plans,
      seeds: days.map((_, k) => options.seed + k),
      cpu_time: Boolean(options.cpuTime),
      days: days.map((d) => d.out),
      // Over every replan of every day (the mean of the days' means: each day has as many replans).
      replan_vs_scratch_pct: round2(mean(gaps)),
      replan_vs_scratch_max_pct: round2(Math.max(...gaps)),
      replan_vs_scratch_mean_pct: round2(mean(gapsMean)),
    };
    if (!options.json) {
      process.stdout.write(
        `over ${plans} plans (seeds ${options.seed}-${options.seed + plans - 1}), ${gaps.length} replans: ` +
          `${signed(out.replan_vs_scratch_pct)} vs from scratch (max ${signed(out.replan_vs_scratch_max_pct)})` +
          ((options.scratchRuns ?? 1) > 1 ? `, ${signed(out.replan_vs_scratch_mean_pct)} vs the mean of ${options.scratchRuns} from-scratch solves` : '') +
          '\n',
      );
    } else {
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    }
    return out;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

// One day (options.seed): its plan, the new orders, the replans and the from-scratch solves. Prints
// its rows unless --json; gives back its JSON object and its replans' unrounded gaps (against the
// first from-scratch solve, and against the mean of them).
function replanDay(
  handle: MapHandle,
  name: string,
  addresses: [number, number][],
  options: ReplanBenchOptions,
): { out: Record<string, unknown>; gaps: number[]; gapsMean: number[] } {
  const extra = Math.max(1, Math.round((options.jobs * options.newPercent) / 100));
  // One day of jobs + extra; the last `extra` stops are the orders that arrive later. No stops off
  // the road: the figure is about search quality, not snapping.
  const day = roadProblem(handle, { jobs: options.jobs + extra, vehicles: options.vehicles, seed: options.seed, addresses, offRoad: 0 }).problem as unknown as {
    vehicles: Record<string, unknown>[];
    jobs: Record<string, unknown>[];
  };
  const original = { vehicles: day.vehicles, jobs: day.jobs.slice(0, options.jobs) };
  const arriving = day.jobs.slice(options.jobs);
  const provider = mapMatrixProvider({ car: handle });
  const say = (text: string) => !options.json && process.stdout.write(text);
  say(`replan on ${name}: ${options.jobs} jobs, ${options.vehicles} vans, ${arriving.length} new orders (${options.newPercent} %), seed ${options.seed}${options.cpuTime ? ', limits as CPU budgets' : ''}\n`);

  const budget = { ...(options.cpuTime ? { cpuTimeLimit: true } : {}), ...(options.threads ? { threads: options.threads } : {}) };
  // --reuse: a solve already made with the same parameters is read back instead of repeated.
  const reused = (what: string, limit: number, f: () => Timed): Timed => {
    if (!options.reuse) return f();
    const file = join(options.reuse, `${name}-${options.jobs}-${options.vehicles}-${options.newPercent}-s${options.seed}-${what}-${limit}${options.cpuTime ? 'cpu' : ''}-t${options.threads ?? 0}.json`);
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Timed;
    const r = f();
    mkdirSync(options.reuse, { recursive: true });
    writeFileSync(file, JSON.stringify(r));
    return r;
  };
  const baseModel = parseProblem(original, provider);
  const base = reused('plan', options.baseTime, () => timed(() => solveModel(baseModel, { timeLimit: options.baseTime, seed: options.seed, ...budget }, 0, 0)));
  say(`plan       ${options.baseTime} s: cost ${base.solution.summary.cost}, routes ${base.solution.summary.routes}, unassigned ${base.solution.summary.unassigned} (${base.wall.toFixed(1)} s, CPU ${base.cpu.toFixed(1)} s)\n`);

  // What the replan endpoint does: the next version's problem and the previous routes as warm start.
  const { problem, warmStart } = replanProblem(original as unknown as Record<string, unknown>, base.solution, { jobs: arriving });
  const changed = parseProblem(problem, provider);
  const index = new Map(changed.tasks.map((t, i) => [`${t.kind}:${t.id}`, i]));
  const initialRoutes = changed.vehicles.map((v) => (warmStart[String(v.id)] ?? []).map((r) => index.get(`${r.type}:${r.id}`)!));
  const replans = Array.from({ length: Math.max(1, options.replans ?? 1) }, (_, k) =>
    timed(() =>
      solveModel(
        changed,
        { timeLimit: options.replanTime, seed: options.seed + k, initialRoutes, ...budget, ...(options.replanIterations !== undefined ? { maxIterations: options.replanIterations } : {}) },
        0,
        0,
      ),
    ),
  );
  // The first from-scratch solve keeps its file name, so folders made before --scratch-runs serve.
  const scratches = Array.from({ length: Math.max(1, options.scratchRuns ?? 1) }, (_, k) =>
    reused(k === 0 ? 'scratch' : `scratch${k}`, options.scratchTime, () =>
      timed(() => solveModel(changed, { timeLimit: options.scratchTime, seed: options.seed + k, ...budget }, 0, 0)),
    ),
  );
  const row = (what: string, limit: number, r: Timed) => ({
    what,
    time_limit_s: limit,
    cost: r.solution.summary.cost,
    routes: r.solution.summary.routes,
    unassigned: r.solution.summary.unassigned,
    wall_s: Math.round(r.wall * 100) / 100,
    cpu_s: Math.round(r.cpu * 100) / 100,
    iterations: r.solution.summary.search.iterations,
    stop_reason: r.solution.summary.search.stop_reason,
  });
  const rows = [
    ...replans.map((r, k) => row(replans.length > 1 ? `replan #${k + 1}` : 'replan (warm start)', options.replanTime, r)),
    ...scratches.map((r, k) => row(scratches.length > 1 ? `from scratch #${k + 1}` : 'from scratch', options.scratchTime, r)),
  ];
  const gapsTo = (cost: number) => replans.map((r) => (r.solution.summary.cost / cost - 1) * 100);
  const gaps = gapsTo(scratches[0].solution.summary.cost);
  const gap = mean(gaps);
  const scratchMean = mean(scratches.map((r) => r.solution.summary.cost));
  const gapsMean = gapsTo(scratchMean);
  const gapMean = mean(gapsMean);
  const out = {
    map: name,
    jobs: options.jobs,
    vehicles: options.vehicles,
    new_orders: arriving.length,
    cpu_time: Boolean(options.cpuTime),
    plan: row('plan', options.baseTime, base),
    rows,
    // The mean over the replans (the one replan's gap when there is one).
    replan_vs_scratch_pct: round2(gap),
    replans_vs_scratch_pct: gaps.map(round2),
    replan_vs_scratch_max_pct: round2(Math.max(...gaps)),
    // Against the mean cost of the --scratch-runs from-scratch solves (the first one's when there is one).
    scratch_mean_cost: round2(scratchMean),
    replan_vs_scratch_mean_pct: round2(gapMean),
    replans_vs_scratch_mean_pct: gapsMean.map(round2),
  };
  if (!options.json) {
    for (const r of rows) say(`${r.what.padEnd(20)} ${String(r.time_limit_s).padStart(4)} s: cost ${r.cost}, routes ${r.routes}, unassigned ${r.unassigned} (${r.wall_s} s, CPU ${r.cpu_s} s, ${r.iterations} iterations, ${r.stop_reason})\n`);
    if (gaps.length === 1) say(`replan cost vs from scratch: ${signed(gap)}\n`);
    else say(`replan cost vs from scratch: ${gaps.map(signed).join(', ')}; mean ${signed(gap)}, max ${signed(Math.max(...gaps))}\n`);
    if (scratches.length > 1)
      say(`replan cost vs the mean of ${scratches.length} from-scratch solves (${scratchMean.toFixed(1)}): ${gapsMean.map(signed).join(', ')}; mean ${signed(gapMean)}\n`);
  }
  return { out, gaps, gapsMean };
}
