/** Tasks the HTTP server sends to its worker threads, and what comes back. */
import type { LonLat, RouteRequest } from '../routing/route.js';
import type { MatrixRequest, PairsRequest } from '../routing/matrix.js';

export interface OsrmRouteOptions {
  overview: 'full' | 'simplified' | 'false';
  geometries: 'polyline' | 'polyline6' | 'geojson';
  steps: boolean;
}

/** What every worker thread is told when it starts (Piscina workerData). */
export interface WorkerOptions {
  /** Export spans of traced tasks (the OTEL_* environment configures the exporter). */
  tracing: boolean;
  /** Answer CPU profile requests (admin endpoints). */
  profiling: boolean;
}

/** W3C trace context of the span that queued a task (only when that span is sampled), and when it was queued (epoch ms). */
export interface TaskTrace {
  traceparent: string;
  tracestate?: string;
  enqueuedAt: number;
}

export type QueryTask = (
  | { kind: 'route'; map: string; request: RouteRequest }
  | { kind: 'osrm-route'; map: string; request: RouteRequest; options: OsrmRouteOptions }
  | { kind: 'matrix'; map: string; request: MatrixRequest }
  | { kind: 'osrm-table'; map: string; request: MatrixRequest }
  | { kind: 'pairs'; map: string; request: PairsRequest }
  | { kind: 'nearest'; map: string; coordinate: LonLat; radius: number; osrm: boolean }
  | {
      kind: 'vrp';
      maps: Record<string, string>;
      problem: unknown;
      options: { timeLimit?: number; seed?: number; threads?: number; geometry?: boolean; control?: Int32Array; progress?: Float64Array };
    }
  | { kind: 'selftest'; map: string }
) & { trace?: TaskTrace };

/** Errors cross the thread boundary as data: class and extra properties do not survive cloning. */
export type TaskResult = { ok: true; json: string } | { ok: false; code: string; message: string };
