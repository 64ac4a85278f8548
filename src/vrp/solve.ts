/** Solving a VROOM-format problem: parse, solve natively, format, and check before returning. */
import { WaymarkError } from '../errors.js';
import { isNativeError, native, type MapHandle } from '../native/index.js';
import { observeNative, observePhase } from '../telemetry/phases.js';
import { checkSolution } from './checker.js';
import { parseProblem, toNativeProblem, VrpInputError, type MatrixProvider, type Model, type Placement, type SolveMode, type Vehicle } from './model.js';
import { formatSolution, type NativeVrpSolution } from './output.js';
import { planSolution } from './plan.js';
import type { LonLat, VroomSolution } from './types.js';

export interface SolveOptions {
  /**
   * Seconds of search at most (default: defaultTimeLimit of the problem's size). The search stops
   * earlier once it has converged; summary.search says why it stopped.
   */
  timeLimit?: number;
  /** Search until the time limit even when converged (no exhaustive search of tiny problems either). */
  runToTimeLimit?: boolean;
  /** Cap on the default time limit (a server's maximum); an explicit timeLimit is the caller's to check. */
  maxTimeLimit?: number;
  seed?: number;
  threads?: number;
  /**
   * Benchmarks: the time limit counts the process's CPU seconds divided by the thread count (a
   * budget of timeLimit x threads CPU-seconds, as on a quiet machine), so that quality figures do
   * not depend on the load. Not offered by the HTTP API.
   */
  cpuTimeLimit?: boolean;
  /**
   * What the search threads run: SISR, the hybrid genetic search, or a portfolio of both (default:
   * the portfolio, as measured). Not offered by the HTTP API.
   */
  search?: 'sisr' | 'hgs' | 'portfolio';
  /** Per-thread iteration cap: with it, a seed gives the same solution on any machine. */
  maxIterations?: number;
  /** Tests: cross-check every O(1) feasibility answer against the exact route evaluation. */
  verifyFastPath?: boolean;
  /** Shared memory: control[0] = 1 cancels (keeping the best solution); progress receives live figures. */
  control?: Int32Array;
  progress?: Float64Array;
  /** Maps by profile, to compute matrices from coordinates and route geometry. */
  maps?: Record<string, MapHandle>;
  /** Add each route's geometry (encoded polyline) from the map. */
  geometry?: boolean;
  /** Snapping radius in metres for jobs, shipments and depots (default Infinity: the nearest road). */
  snapRadius?: number;
  /** Snaps farther than this (metres, default 100) are counted in summary.snapping. */
  snapThreshold?: number;
  /** `plan`: VROOM's -c (the vehicles' steps are the routes: ETAs, loads, violations; no search). */
  mode?: SolveMode;
  /**
   * Warm start: per vehicle (model order), task indices of its first route. Without it, vehicles
   * with steps start from their pinned tasks.
   */
  initialRoutes?: number[][];
  /** Warm start by ids (a previous plan): per vehicle id, its route's tasks. */
  warmStart?: Record<string, { type: 'job' | 'pickup' | 'delivery'; id: number }[]>;
}

/** `options.mode`: "solve" (default) or "plan". */
export function modeOf(options: Record<string, unknown> | undefined): SolveMode {
  const m = options?.mode;
  if (m === undefined || m === 'solve') return 'solve';
  if (m === 'plan') return 'plan';
  throw new VrpInputError('options.mode', 'must be "solve" or "plan"');
}

/** The warm start as the native solver takes it (CSR over vehicles). */
function initialRoutesOf(model: Model, routes: number[][] | undefined): { initialRouteFirst: Uint32Array; initialRouteTasks: Uint32Array } | undefined {
  const perVehicle = routes ?? model.vehicles.map((v) => (v.steps ?? []).flatMap((s) => (s.task !== undefined ? [s.task] : [])));
  if (!perVehicle.some((r) => r.length > 0)) return undefined;
  const first = new Uint32Array(model.vehicles.length + 1);
  const tasks: number[] = [];
  model.vehicles.forEach((_, v) => {
    tasks.push(...(perVehicle[v] ?? []));
    first[v + 1] = tasks.length;
  });
  return { initialRouteFirst: first, initialRouteTasks: Uint32Array.from(tasks) };
}

/** Tasks the steps pin that the solve left out: the steps cannot be honoured (a 400 naming them). */
function checkPinnedServed(model: Model, raw: NativeVrpSolution): void {
  const left = new Set(raw.unassigned.map((u) => u.task));
  model.vehicles.forEach((v, vi) => {
    for (const s of v.steps ?? []) {
      if (s.task === undefined || !left.has(s.task)) continue;
      const t = model.tasks[s.task];
      throw new VrpInputError(s.path, `${t.kind} ${t.id} cannot be served by vehicle ${v.id} with every step it lists (vehicles[${vi}].steps break a constraint together)`);
    }
  });
}

export const DEFAULT_SNAP_THRESHOLD = 100;

/**
 * The time limit when none is given: grows with the number of tasks (jobs, pickups and deliveries):
 * 1 s up to 20, 5 s at 100, 30 s from 600 on. Small problems stop much earlier, once converged.
 */
export function defaultTimeLimit(tasks: number): number {
  return Math.min(30, Math.max(1, tasks / 20));
}

/** Why a coordinate cannot be placed, from the core's NoSegment message (which names a coordinate index that means nothing here). */
export function placementMessage(profile: string, coordinate: LonLat, nativeMessage: string): string {
  return `cannot place ${JSON.stringify(coordinate)} on the '${profile}' map: ${nativeMessage.replace(/^[^:]*: /, '')}`;
}

/**
 * Checks that every depot of the problem can be placed on its profile's map (what the server does
 * before it accepts a problem): a 400-class NoSegment naming the vehicle otherwise.
 */
export function checkDepots(vehicles: Vehicle[], mapOf: (profile: string) => MapHandle, radius = Infinity): void {
  vehicles.forEach((v, i) => {
    for (const which of ['start', 'end'] as const) {
      const c = which === 'start' ? v.startCoordinates : v.endCoordinates;
      if (!c) continue;
      const [s] = native.snap(mapOf(v.profile), Float64Array.from(c), { radius, lenient: true });
      if ('error' in s) throw new WaymarkError('NoSegment', `vehicles[${i}].${which} (vehicle ${v.id}): ${placementMessage(v.profile, c, s.error.message)}`);
    }
  });
}

/**
 * `options.snap_radius` (metres or "unlimited") and `options.snap_threshold` (metres) of a problem,
 * validated: a wrong value is an error naming the field.
 */
export function snapOptionsOf(options: Record<string, unknown> | undefined): { snapRadius?: number; snapThreshold?: number } {
  const out: { snapRadius?: number; snapThreshold?: number } = {};
  const r = options?.snap_radius;
  if (r !== undefined) {
    if (r === 'unlimited') out.snapRadius = Infinity;
    else if (typeof r === 'number' && Number.isFinite(r) && r > 0) out.snapRadius = r;
    else throw new VrpInputError('options.snap_radius', 'must be a positive number of metres or "unlimited"');
  }
  const t = options?.snap_threshold;
  if (t !== undefined) {
    if (typeof t === 'number' && Number.isFinite(t) && t >= 0) out.snapThreshold = t;
    else throw new VrpInputError('options.snap_threshold', 'must be a non-negative number of metres');
  }
  return out;
}

/**
 * Matrices from the maps. Every coordinate is snapped on its own first, so one that cannot be placed
 * (outside the map's area, beyond the radius) is reported with its reason instead of failing the
 * whole problem; the matrix covers the others, with NaN rows and columns for it.
 */
export function mapMatrixProvider(maps: Record<string, MapHandle>, snap: { radius?: number; threshold?: number } = {}): MatrixProvider {
  const radius = snap.radius ?? Infinity;
  return (profile, coordinates) => {
    const map = maps[profile === 'driving' ? 'car' : profile];
    if (!map) throw new WaymarkError('InvalidValue', `no map is loaded for profile '${profile}'`);
    const n = coordinates.length;
    try {
      const snaps = native.snap(map, Float64Array.from(coordinates.flat()), { radius, lenient: true });
      const placements: Placement[] = snaps.map((s, i) =>
        'error' in s
          ? { code: 'NoSegment', message: placementMessage(profile, coordinates[i], s.error.message) }
          : { location: s.location, distance: Math.round(s.distance * 10) / 10 },
      );
      const placed = placements.flatMap((p, i) => ('code' in p ? [] : [i]));
      let durations: Float64Array;
      let distances: Float64Array;
      if (placed.length === 0) {
        durations = new Float64Array(n * n).fill(NaN);
        distances = new Float64Array(n * n).fill(NaN);
      } else {
        const k = placed.length;
        const m = observeNative('matrix.many_to_many', { 'waymark.sources': k, 'waymark.targets': k, 'waymark.profile': profile }, k, (timings) =>
          native.matrix(map, Float64Array.from(placed.flatMap((i) => coordinates[i])), null, { radius, maxCells: Math.max(25e6, k ** 2), ...(timings ? { timings } : {}) }),
        );
        const md = m.durations!;
        const mm = m.distances!;
        if (k === n) {
          // Every coordinate placed (the usual case): the answer is already the n x n matrix.
          durations = md;
          distances = mm;
        } else {
          durations = new Float64Array(n * n).fill(NaN);
          distances = new Float64Array(n * n).fill(NaN);
          for (let a = 0; a < k; a++) {
            const row = placed[a] * n;
            for (let b = 0; b < k; b++) {
              durations[row + placed[b]] = md[a * k + b];
              distances[row + placed[b]] = mm[a * k + b];
            }
          }
        }
      }
      return { durations, distances, placements, radius, threshold: snap.threshold ?? DEFAULT_SNAP_THRESHOLD };
    } catch (err) {
      if (isNativeError(err)) throw new WaymarkError(err.code, err.message);
      throw err;
    }
  };
}

export function solveModel(model: Model, options: SolveOptions, loadingSeconds: number, routingSeconds: number): VroomSolution {
  const started = performance.now();
  const timeLimit = options.timeLimit ?? Math.min(defaultTimeLimit(model.tasks.length), options.maxTimeLimit ?? Infinity);
  let raw: NativeVrpSolution;
  if (model.mode === 'plan') {
    raw = planSolution(model);
    const solving = (performance.now() - started) / 1000;
    const solution = formatSolution(model, raw, { loading: Math.round(loadingSeconds * 1000), solving: Math.round(solving * 1000), routing: Math.round(routingSeconds * 1000) });
    const problems = checkSolution(model, solution);
    if (problems.length > 0) throw new WaymarkError('InternalError', `the plan fails the checker: ${problems.slice(0, 5).join('; ')}`);
    return solution;
  }
  const initial = initialRoutesOf(model, options.initialRoutes);
  try {
    raw = observePhase(
      'vrp.solve',
      () => {
        const problem = toNativeProblem(model);
        // The time limit covers handing the problem over (seconds for a 5,000-task matrix); a CPU budget only the search.
        const remaining = options.cpuTimeLimit ? timeLimit : Math.max(0, timeLimit - (performance.now() - started) / 1000);
        const r = (native as unknown as { solveVrp(p: unknown, o: unknown): NativeVrpSolution }).solveVrp(problem, {
          timeLimit: remaining,
          seed: options.seed ?? 1,
          threads: options.threads ?? 0,
          ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}),
          ...(options.verifyFastPath ? { verifyFastPath: true } : {}),
          ...(options.runToTimeLimit ? { runToTimeLimit: true } : {}),
          ...(options.cpuTimeLimit ? { cpuTimeLimit: true } : {}),
          ...(options.search ? { search: options.search } : {}),
          ...(options.control ? { control: options.control } : {}),
          ...(options.progress ? { progress: options.progress } : {}),
          ...(initial ?? {}),
        });
        return { ...r, timeLimit };
      },
      (r) => ({
        'waymark.vrp.jobs': model.tasks.length,
        'waymark.vrp.vehicles': model.vehicles.length,
        'waymark.vrp.iterations': r.iterations,
        'waymark.vrp.stop_reason': r.stopReason,
        'waymark.vrp.improvements': r.improvements,
        'waymark.vrp.best_cost': r.cost,
        'waymark.vrp.unassigned': r.unassigned.length,
        'waymark.vrp.threads': options.threads ?? 0,
      }),
    );
  } catch (err) {
    if (isNativeError(err)) throw new WaymarkError(err.code, err.message);
    throw err;
  }
  checkPinnedServed(model, raw);
  const solving = (performance.now() - started) / 1000;
  const solution = formatSolution(model, raw, { loading: Math.round(loadingSeconds * 1000), solving: Math.round(solving * 1000), routing: Math.round(routingSeconds * 1000) });
  const problems = checkSolution(model, solution);
  if (problems.length > 0) {
    throw new WaymarkError('InternalError', `the solver produced a solution that fails the checker: ${problems.slice(0, 5).join('; ')}`);
  }
  return solution;
}

/** Parses, solves and checks a VROOM-format problem. */
export function solveVroom(input: unknown, options: SolveOptions = {}): { solution: VroomSolution; model: Model } {
  const t0 = performance.now();
  let routing = 0;
  const provider = options.maps
    ? (profile: string, coords: [number, number][]) => {
        const r0 = performance.now();
        const m = mapMatrixProvider(options.maps!, { radius: options.snapRadius, threshold: options.snapThreshold })(profile, coords);
        routing += (performance.now() - r0) / 1000;
        return m;
      }
    : undefined;
  const model = parseProblem(input, provider, false, options.mode ?? 'solve');
  const loading = (performance.now() - t0) / 1000 - routing;
  let initialRoutes = options.initialRoutes;
  if (options.warmStart && !initialRoutes) {
    const index = new Map(model.tasks.map((t, i) => [`${t.kind}:${t.id}`, i]));
    initialRoutes = model.vehicles.map((v) => (options.warmStart![String(v.id)] ?? []).flatMap((r) => (index.has(`${r.type}:${r.id}`) ? [index.get(`${r.type}:${r.id}`)!] : [])));
  }
  const solution = solveModel(model, { ...options, ...(initialRoutes ? { initialRoutes } : {}) }, loading, routing);
  return { solution, model };
}
