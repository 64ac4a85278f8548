/**
 * The job-store interface behind the VRP job API, with two implementations: SQLite (embedded, one
 * server per data directory; the default) and PostgreSQL (shared by any number of replicas). Both
 * keep inputs, status, progress, results and idempotency keys durable: an accepted job survives
 * any crash. A running job is held by a lease (owner + expiry) that its runner renews; an expired
 * lease puts the job back in the queue, so a dead replica's jobs are re-run by another.
 */
import { createHash } from 'node:crypto';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobRow {
  id: string;
  status: JobStatus;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
  problem: string;
  options: string;
  body_hash: string;
  result: string | null;
  error: string | null;
  progress: string | null;
  attempts: number;
  cancel_requested: number;
  /** The runner holding the lease while running. */
  owner: string | null;
  /** Lease expiry (ms since epoch, on the store's clock). */
  lease_until: number | null;
  /** W3C trace context (JSON) of the request that submitted the job, when it was traced. */
  trace_context: string | null;
  /** Versions (replans): the job this row is a version of (null for the original, version 1). */
  root_id: string | null;
  version: number;
}

/** A replan: the next version of job `rootId`, made from `request` (what idempotency keys compare). */
export interface NewVersion {
  rootId: string;
  request: string;
}

/** What an idempotency key remembers of a body. */
export function hashOf(problem: string, options: string, version?: NewVersion): string {
  return version ? bodyHash(`replan\u0000${version.rootId}\u0000${version.request}`) : bodyHash(problem + '\u0000' + options);
}

export interface JobError {
  code: string;
  message: string;
}

/** Raised when the store cannot be reached (database down): the API answers 503. */
export class JobStoreUnavailable extends Error {
  readonly code = 'JobStoreUnavailable';
}

export interface JobStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Opens the store and applies pending migrations. */
  open(): Promise<void>;
  /**
   * Accepts a job, or returns the job an earlier request with the same idempotency key created
   * (same body: same job; other body: IdempotencyConflict). Atomic across replicas. `traceContext`
   * (W3C trace context as JSON) is kept so the solve's span can link to the submitting request.
   */
  create(problem: string, options: string, key: string | undefined, keyTtlMs: number, traceContext?: string, version?: NewVersion): Promise<{ job: JobRow; created: boolean }>;
  get(id: string): Promise<JobRow | undefined>;
  /** What a live (unexpired) idempotency key remembers: its body hash and job, if any. */
  keyed(key: string, keyTtlMs: number): Promise<{ bodyHash: string; jobId: string } | undefined>;
  /**
   * A version of job `rootId` (the original is version 1; `create` with a rootId adds the next one,
   * numbered atomically across replicas): the latest when `version` is undefined.
   */
  getVersion(rootId: string, version?: number): Promise<JobRow | undefined>;
  /** The oldest queued job, now running under a lease held by `owner`. */
  claimNext(owner: string, leaseMs: number): Promise<JobRow | undefined>;
  /**
   * Extends the leases `owner` holds on these jobs and stores their progress; returns which of them
   * were asked to cancel and which are no longer held by `owner` (lease lost).
   */
  heartbeat(owner: string, progress: Map<string, unknown>, leaseMs: number): Promise<{ cancel: string[]; lost: string[] }>;
  /**
   * Jobs whose lease expired go back to the queue (cancelled if asked to, failed after maxAttempts
   * runs that never finished).
   */
  requeueExpired(maxAttempts: number): Promise<{ requeued: number; cancelled: number; failed: number }>;
  /** Records the outcome if `owner` still holds the job; false otherwise (another runner took it). */
  finish(id: string, owner: string, status: 'succeeded' | 'failed' | 'cancelled', result: string | null, error: JobError | null): Promise<boolean>;
  /** Puts the jobs `owner` holds back in the queue (a graceful shutdown hands them to other runners). */
  release(owner: string): Promise<number>;
  /** Queued: cancelled at once. Running: flagged, and the runner holding it is told. Otherwise unchanged. */
  requestCancel(id: string): Promise<JobRow | undefined>;
  /**
   * Calls back when a job is queued (possibly by another replica) or a cancellation is requested;
   * a store without push notifications never calls (the runner polls).
   */
  subscribe(listener: { queued(): void; cancel(id: string): void }): Promise<void>;
  /** Drops finished jobs older than the retention time and expired idempotency keys. */
  purge(retentionMs: number, keyTtlMs: number): Promise<{ jobs: number; keys: number }>;
  counts(): Promise<Record<JobStatus, number>>;
  close(): Promise<void>;
}

export function bodyHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function emptyCounts(): Record<JobStatus, number> {
  return { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
}

/** The store for `--jobs`: PostgreSQL at that URL, or (default) SQLite in the data directory. */
export async function createJobStore(jobsUrl: string | undefined, dataDir: string, log?: StoreLog): Promise<JobStore> {
  if (jobsUrl !== undefined) {
    const { PostgresJobStore } = await import('./postgres-store.js');
    return new PostgresJobStore(jobsUrl, log);
  }
  const { SqliteJobStore } = await import('./sqlite-store.js');
  return new SqliteJobStore(dataDir);
}

export type StoreLog = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
