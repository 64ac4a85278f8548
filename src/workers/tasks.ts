/** Tasks the HTTP server sends to its worker threads, and what comes back. */
import type { LonLat, RouteRequest } from '../routing/route.js';
import type { MatrixRequest, PairsRequest } from '../routing/matrix.js';
import type { OsrmRouteOptions } from '../routing/osrm-route.js';

export type { OsrmRouteOptions };

export type QueryTask =
  | { kind: 'route'; map: string; request: RouteRequest }
  | { kind: 'osrm-route'; map: string; request: RouteRequest; options: OsrmRouteOptions }
  | { kind: 'matrix'; map: string; request: MatrixRequest }
  | { kind: 'osrm-table'; map: string; request: MatrixRequest; generateHints: boolean; skipWaypoints: boolean }
  | { kind: 'pairs'; map: string; request: PairsRequest }
  | { kind: 'nearest'; map: string; coordinate: LonLat; radius: number; osrm: boolean; number?: number; allowIsolated?: boolean; generateHints?: boolean }
  | {
      kind: 'vrp';
      maps: Record<string, string>;
      problem: unknown;
      options: { timeLimit?: number; seed?: number; threads?: number; geometry?: boolean; control?: Int32Array; progress?: Float64Array };
    }
  | { kind: 'selftest'; map: string };

/** Errors cross the thread boundary as data: class and extra properties do not survive cloning. */
export type TaskResult = { ok: true; json: string } | { ok: false; code: string; message: string };
