/** Server settings: every limit that protects the service is configurable. */
import { availableParallelism } from 'node:os';
import { tracingRequested } from '../telemetry/tracing.js';

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
  /** Most points in one match request (TooBig past it). */
  maxMatchCoordinates: number;
  /** Most points in one trip request (TooBig past it). */
  maxTripCoordinates: number;
  /** Seconds of search for a trip beyond the exactly solved size. */
  tripTimeLimit: number;
  /** Largest snapping radius a request may ask for (m). */
  maxRadius: number;
  /** pino log level. */
  logLevel: string;
  /** Where VRP jobs live with the SQLite store (the default). */
  dataDir: string;
  /** postgres://… : VRP jobs in PostgreSQL, shared by every replica (WAYMARK_JOBS_URL). */
  jobsUrl?: string;
  /** Lease of a running VRP job (ms): a replica that stops heartbeating loses its jobs after this. */
  jobLeaseMs: number;
  /** How often each replica polls the job queue and expired leases (ms), besides notifications. */
  jobPollMs: number;
  /** Listen for job notifications (PostgreSQL LISTEN/NOTIFY); off: poll only (for comparison). */
  jobNotify: boolean;
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
  /** Metric files (`waymark traffic ... -o`) installed as live traffic once the maps load, each on the map it was written for. */
  trafficFiles: string[];
  /** OpenTelemetry traces (on when the OTEL_* environment configures an OTLP endpoint). */
  tracing: boolean;
  /**
   * Tiny route queries (two points, no geometry, steps, alternatives or annotations) on maps of at
   * most this many segments are answered on the main thread, without the hop to a worker thread
   * (0: never). See src/server/inline-queries.ts.
   */
  inlineMaxSegments: number;
}

/** Default of inlineMaxSegments: cities and small countries (malta 66k, porto 152k segments), not regions. */
export const DEFAULT_INLINE_MAX_SEGMENTS = 250_000;

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
    maxMatchCoordinates: 2000,
    maxTripCoordinates: 250,
    tripTimeLimit: 1,
    maxAnswerBytes: 128 * 1024 * 1024,
    maxRadius: 100_000,
    logLevel: process.env.WAYMARK_LOG_LEVEL ?? 'info',
    dataDir: process.env.WAYMARK_DATA_DIR ?? 'waymark-data',
    ...(process.env.WAYMARK_JOBS_URL ? { jobsUrl: process.env.WAYMARK_JOBS_URL } : {}),
    jobLeaseMs: 15_000,
    jobPollMs: 1000,
    jobNotify: true,
    maxConcurrentSolves: workers,
    vrpMaxTimeLimit: 3600,
    vrpSyncMaxTimeLimit: 60,
    jobRetentionMs: 7 * 24 * 3600 * 1000,
    idempotencyTtlMs: 24 * 3600 * 1000,
    ...(process.env.WAYMARK_ADMIN_TOKEN ? { adminToken: process.env.WAYMARK_ADMIN_TOKEN } : {}),
    watch: false,
    trafficFiles: [],
    tracing: tracingRequested(),
    inlineMaxSegments: process.env.WAYMARK_INLINE_MAX_SEGMENTS !== undefined ? Number(process.env.WAYMARK_INLINE_MAX_SEGMENTS) : DEFAULT_INLINE_MAX_SEGMENTS,
  };
}
