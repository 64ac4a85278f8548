/**
 * The worker thread's side of tracing: a task that carries a trace context gets its spans as
 * children of the request span that queued it: `queue.wait` (from queueing to the worker picking
 * it up), then the phases the routing code reports (snap, ch.route / matrix.many_to_many, vrp.solve,
 * serialize), anchored at the clock reading taken just before each native call.
 */
import { propagation, ROOT_CONTEXT, SpanStatusCode, trace, type Attributes as OtelAttributes, type Context, type Tracer } from '@opentelemetry/api';
import { threadId } from 'node:worker_threads';
import type { QueryTask } from '../workers/tasks.js';
import { nowEpochMs, setPhaseSink, type Attributes, type NativeTimings, type PhaseSink } from './phases.js';

let tracer: Tracer | undefined;

/** Called once the thread's tracer provider is registered. */
export function enableWorkerTracing(): void {
  tracer = trace.getTracer('waymark-worker', '0.1.0');
}

function span(t: Tracer, parent: Context, name: string, start: number, end: number, attributes: OtelAttributes, error?: unknown): void {
  const s = t.startSpan(name, { startTime: start, attributes: { 'thread.id': threadId, ...attributes } }, parent);
  if (error !== undefined) {
    const e = error as { code?: string; message?: string };
    s.setStatus({ code: SpanStatusCode.ERROR, message: e.message ?? String(error) });
    if (e.code) s.setAttribute('waymark.error_code', e.code);
  }
  s.end(end);
}

function sinkFor(t: Tracer, parent: Context): PhaseSink {
  return {
    native(search: string, calledAt: number, timings: NativeTimings, attributes: Attributes) {
      const snapStart = calledAt + timings.snapStartMicros / 1000;
      span(t, parent, 'snap', snapStart, snapStart + timings.snapMicros / 1000, {
        'waymark.points': timings.points,
        'waymark.snapped': timings.points,
        'waymark.failed': 0,
      });
      const searchStart = calledAt + timings.searchStartMicros / 1000;
      span(t, parent, search, searchStart, searchStart + timings.searchMicros / 1000, {
        ...attributes,
        'waymark.threads': timings.threads,
        'waymark.settled_nodes': timings.settledForward + timings.settledBackward,
        'waymark.settled_forward': timings.settledForward,
        'waymark.settled_backward': timings.settledBackward,
        ...(timings.blocks !== undefined ? { 'waymark.blocks': timings.blocks } : {}),
        ...(timings.method !== undefined ? { 'waymark.matrix_method': timings.method, 'waymark.selected_nodes': timings.selectedNodes ?? 0, 'waymark.sweeps': timings.sweeps ?? 0 } : {}),
      });
    },
    nativeFailed(calledAt: number, error: unknown, points: number) {
      // Snapping stops at the first coordinate with no road: the call's time is the snap's.
      if ((error as { code?: string }).code !== 'NoSegment') return;
      span(t, parent, 'snap', calledAt, nowEpochMs(), { 'waymark.points': points, 'waymark.failed': 1 }, error);
    },
    phase(name: string, start: number, end: number, attributes: Attributes, error?: unknown) {
      span(t, parent, name, start, end, attributes, error);
    },
  };
}

/** Runs a task; when it carries a trace context (and this thread traces), with its spans. */
export function runTraced<T>(task: QueryTask, fn: () => T): T {
  const t = tracer;
  if (!t || !task.trace) return fn();
  const parent = propagation.extract(ROOT_CONTEXT, task.trace);
  span(t, parent, 'queue.wait', task.trace.enqueuedAt, nowEpochMs(), { 'waymark.task': task.kind });
  setPhaseSink(sinkFor(t, parent));
  try {
    return fn();
  } finally {
    setPhaseSink(undefined);
  }
}
