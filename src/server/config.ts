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
  /** Most coordinates in one matrix request. */
  maxMatrixCoordinates: number;
  /** Largest snapping radius a request may ask for (m). */
  maxRadius: number;
  /** pino log level. */
  logLevel: string;
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
    maxRadius: 100_000,
    logLevel: process.env.WAYMARK_LOG_LEVEL ?? 'info',
  };
}
