/** Tasks the HTTP server sends to its worker threads, and what comes back. */
import type { LonLat, RouteRequest } from '../routing/route.js';
import type { MatrixRequest, PairsRequest } from '../routing/matrix.js';
import type { Hint } from '../server/osrm-options.js';
import type { IsochroneRequest } from '../routing/isochrone.js';
import type { ReachRequest } from '../routing/reach.js';
import type { ZoneArea, ZoneOptions } from '../zones/zones.js';
import type { MatchRequest } from '../routing/match.js';
import type { TripRequest } from '../routing/trip.js';
import type { OsrmRouteOptions } from '../routing/osrm-route.js';
import type { MetricRequest } from '../routing/metric.js';

export type { OsrmRouteOptions };

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
  | { kind: 'osrm-table'; map: string; request: MatrixRequest; generateHints: boolean; skipWaypoints: boolean }
  | { kind: 'pairs'; map: string; request: PairsRequest }
  | {
      kind: 'nearest';
      map: string;
      coordinate: LonLat;
      radius: number;
      osrm: boolean;
      number?: number;
      allowIsolated?: boolean;
      generateHints?: boolean;
      /** OSRM's per-coordinate wishes: a hint (used only on its own map version), bearing value and range, approach (1 curb, 2 opposite). */
      hint?: Hint | null;
      bearing?: [number, number];
      approach?: number;
    }
  | {
      kind: 'vrp';
      /** Map reference per profile (vehicles with exclude / custom_model: see vrp/metrics.ts). */
      maps: Record<string, string>;
      problem: unknown;
      options: {
        timeLimit?: number;
        maxTimeLimit?: number;
        runToTimeLimit?: boolean;
        seed?: number;
        threads?: number;
        geometry?: boolean;
        snapRadius?: number;
        snapThreshold?: number;
        mode?: 'solve' | 'plan';
        initialRoutes?: number[][];
        warmStart?: Record<string, { type: 'job' | 'pickup' | 'delivery'; id: number }[]>;
        control?: Int32Array;
        progress?: Float64Array;
      };
    }
  | { kind: 'isochrone'; map: string; request: IsochroneRequest }
  | { kind: 'reach'; map: string; request: ReachRequest }
  | { kind: 'zones-matrix'; map: string; area: ZoneArea; options: ZoneOptions & { maxMatrixCells: number } }
  | { kind: 'zones-eta'; map: string; area: ZoneArea; location: LonLat; options: ZoneOptions & { radius?: number } }
  | { kind: 'osrm-match'; map: string; request: MatchRequest }
  | { kind: 'osrm-trip'; map: string; request: TripRequest }
  | { kind: 'selftest'; map: string; /** Also check a few routes against plain Dijkstra on the same weights. */ oracle?: boolean }
) & {
  trace?: TaskTrace;
  /** Refuse (TooBig) an answer longer than this many bytes of JSON (checked again once written). */
  maxBytes?: number;
  /** Exclusions / custom model on top of the served weights. */
  metric?: MetricRequest;
};

/** Errors cross the thread boundary as data: class and extra properties do not survive cloning. */
export type TaskResult = { ok: true; json: string } | { ok: false; code: string; message: string };
