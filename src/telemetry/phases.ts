/**
 * Where the routing code reports the phases of a traced task (snapping, the search, serialising,
 * the VRP solve). Off unless a worker thread is tracing the task at hand: then `phaseSink` is set,
 * native calls are asked for their timings, and the sink turns them into spans. This module pulls
 * in no OpenTelemetry code, so the routing code costs one undefined-check when tracing is off.
 */

/** What the native core reports with a result when asked (`timings: true`): microseconds since the call began. */
export interface NativeTimings {
  snapStartMicros: number;
  snapMicros: number;
  searchStartMicros: number;
  searchMicros: number;
  /** Distinct points snapped. */
  points: number;
  settledForward: number;
  settledBackward: number;
  blocks?: number;
  threads: number;
  /** Matrices: the method the call used, the nodes of RPHAST's target selection, its sweeps and the sources each sweep took (16, 32 or 64). */
  method?: 'buckets' | 'rphast';
  selectedNodes?: number;
  sweeps?: number;
  sweepLanes?: number;
  /**
   * Matrices with method auto from 16 x 16 on: what decided it, measured on the request (the
   * targets' selection, sampled searches) and the model's work for either method, one thread.
   */
  estimate?: {
    selectionNodes: number;
    selectionArcs: number;
    backwardSettledPerTarget: number;
    bucketScanPerSource: number;
    denseCellsPerSource: number;
    nsPerSettled: number;
    bucketsMs: number;
    rphastMs: number;
  };
  /** The RPHAST sweep's instruction set on this CPU. */
  simd?: 'avx512f' | 'avx2' | 'baseline';
  /** Matrices by buckets: buckets stored as dense rows (the nodes most targets reach). */
  denseBuckets?: number;
  /** Matrices: the phases of the search, in the order they first ran: wall time and the process's CPU time (all threads). */
  phases?: { name: string; wallMs: number; cpuMs: number }[];
}

export type Attributes = Record<string, string | number | boolean>;

export interface PhaseSink {
  /** A native call made at `calledAt` (epoch ms) and the timings it returned; `search` names the search span. */
  native(search: string, calledAt: number, timings: NativeTimings, attributes: Attributes): void;
  /** A native call that failed; NoSegment failures become a failed snap span. */
  nativeFailed(calledAt: number, error: unknown, points: number): void;
  /** A phase timed in JS (epoch ms). */
  phase(name: string, start: number, end: number, attributes: Attributes, error?: unknown): void;
}

let sink: PhaseSink | undefined;

export function setPhaseSink(next: PhaseSink | undefined): void {
  sink = next;
}

export function nowEpochMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Runs a native call; when tracing, asks it for timings (`call(true)`) and reports them. `points`
 * is the number of coordinates sent (for a failed snap span).
 */
export function observeNative<R extends { timings?: NativeTimings }>(search: string, attributes: Attributes, points: number, call: (timings: boolean) => R): R {
  const s = sink;
  if (!s) return call(false);
  const calledAt = nowEpochMs();
  let r: R;
  try {
    r = call(true);
  } catch (err) {
    s.nativeFailed(calledAt, err, points);
    throw err;
  }
  if (r.timings) s.native(search, calledAt, r.timings, attributes);
  return r;
}

/** Runs fn as a named phase (a span) when tracing; attributes may be computed from the result. */
export function observePhase<T>(name: string, fn: () => T, attributes?: (result: T) => Attributes): T {
  const s = sink;
  if (!s) return fn();
  const start = nowEpochMs();
  let result: T;
  try {
    result = fn();
  } catch (err) {
    s.phase(name, start, nowEpochMs(), {}, err);
    throw err;
  }
  s.phase(name, start, nowEpochMs(), attributes ? attributes(result) : {});
  return result;
}
