/** Solving a VROOM-format problem: parse, solve natively, format, and check before returning. */
import { WaymarkError } from '../errors.js';
import { isNativeError, native, type MapHandle } from '../native/index.js';
import { observeNative, observePhase } from '../telemetry/phases.js';
import { checkSolution } from './checker.js';
import { parseProblem, toNativeProblem, type MatrixProvider, type Model } from './model.js';
import { formatSolution, type NativeVrpSolution } from './output.js';
import type { VroomSolution } from './types.js';

export interface SolveOptions {
  /** Seconds of search (default 5). */
  timeLimit?: number;
  seed?: number;
  threads?: number;
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
}

export function mapMatrixProvider(maps: Record<string, MapHandle>): MatrixProvider {
  return (profile, coordinates) => {
    const map = maps[profile === 'driving' ? 'car' : profile];
    if (!map) throw new WaymarkError('InvalidValue', `no map is loaded for profile '${profile}'`);
    const flat = Float64Array.from(coordinates.flat());
    try {
      const n = coordinates.length;
      const m = observeNative('matrix.many_to_many', { 'waymark.sources': n, 'waymark.targets': n, 'waymark.profile': profile }, n, (timings) =>
        native.matrix(map, flat, null, { maxCells: Math.max(25e6, n ** 2), ...(timings ? { timings } : {}) }),
      );
      return { durations: m.durations!, distances: m.distances! };
    } catch (err) {
      if (isNativeError(err)) throw new WaymarkError(err.code, err.message);
      throw err;
    }
  };
}

export function solveModel(model: Model, options: SolveOptions, loadingSeconds: number, routingSeconds: number): VroomSolution {
  const started = performance.now();
  let raw: NativeVrpSolution;
  try {
    raw = observePhase(
      'vrp.solve',
      () =>
        (native as unknown as { solveVrp(p: unknown, o: unknown): NativeVrpSolution }).solveVrp(toNativeProblem(model), {
          timeLimit: options.timeLimit ?? 5,
          seed: options.seed ?? 1,
          threads: options.threads ?? 0,
          ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}),
          ...(options.verifyFastPath ? { verifyFastPath: true } : {}),
          ...(options.control ? { control: options.control } : {}),
          ...(options.progress ? { progress: options.progress } : {}),
        }),
      (r) => ({
        'waymark.vrp.jobs': model.tasks.length,
        'waymark.vrp.vehicles': model.vehicles.length,
        'waymark.vrp.iterations': r.iterations,
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
        const m = mapMatrixProvider(options.maps!)(profile, coords);
        routing += (performance.now() - r0) / 1000;
        return m;
      }
    : undefined;
  const model = parseProblem(input, provider);
  const loading = (performance.now() - t0) / 1000 - routing;
  const solution = solveModel(model, options, loading, routing);
  return { solution, model };
}
