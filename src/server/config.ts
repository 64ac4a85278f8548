/** Server settings: every limit that protects the service is configurable. */
import { availableParallelism } from 'node:os';

export interface ServerConfig {
  /** Map file per profile name (car, ...). */
  maps: Record<string, string>;
  host: string;
  port: number;
  /** Worker threads running queries. */
  workers: number;
  /** Tasks waiting for a worker before new requests get 503. */
  maxQueue: number;
  /** Per-request time limit (ms); past it the work is abandoned and the answer is 504. */
  requestTimeoutMs: number;
  /** Largest request body accepted (bytes); larger bodies get 413. */
  bodyLimitBytes: number;
  /** Most coordinates in one route request. */
  maxRouteCoordinates: number;
  /** Most cells (sources x destinations, or pairs) in one matrix request. */
  maxMatrixCells: number;
  /** Largest matrix answer (bytes of JSON, estimated before computing and checked after). */
  maxAnswerBytes: number;
  /** Most coordinates in one matrix request. */
  maxMatrixCoordinates: number;
  /** Largest snapping radius a request may ask for (m). */
  maxRadius: number;
  /** pino log level. */
  logLevel: string;
  /** Where VRP jobs live (SQLite). */
  dataDir: string;
  /** VRP solves at once (async jobs and POST /vrp together); the rest wait in the durable queue. */
  maxConcurrentSolves: number;
  /** Largest time_limit an async job may ask for (s). */
  vrpMaxTimeLimit: number;
  /** Largest time_limit POST /vrp may ask for (s). */
  vrpSyncMaxTimeLimit: number;
  /** How long finished jobs are kept (ms). */
  jobRetentionMs: number;
  /** How long idempotency keys are remembered (ms). */
  idempotencyTtlMs: number;
  /** Token for POST /admin/reload (WAYMARK_ADMIN_TOKEN); the endpoint is off without one. */
  adminToken?: string;
  /** Reload a map when its file is replaced. */
  watch: boolean;
}

export function defaultConfig(maps: Record<string, string>): ServerConfig {
  const workers = Math.max(1, availableParallelism());
  return {
    maps,
    host: '127.0.0.1',
    port: 5000,
    workers,
    maxQueue: workers * 64,
    requestTimeoutMs: 30_000,
    bodyLimitBytes: 16 * 1024 * 1024,
    maxRouteCoordinates: 500,
    maxMatrixCells: 25_000_000,
    maxMatrixCoordinates: 10_000,
    maxAnswerBytes: 128 * 1024 * 1024,
    maxRadius: 100_000,
    logLevel: process.env.WAYMARK_LOG_LEVEL ?? 'info',
    dataDir: process.env.WAYMARK_DATA_DIR ?? 'waymark-data',
    maxConcurrentSolves: workers,
    vrpMaxTimeLimit: 3600,
    vrpSyncMaxTimeLimit: 60,
    jobRetentionMs: 7 * 24 * 3600 * 1000,
    idempotencyTtlMs: 24 * 3600 * 1000,
    ...(process.env.WAYMARK_ADMIN_TOKEN ? { adminToken: process.env.WAYMARK_ADMIN_TOKEN } : {}),
    watch: false,
  };
}
