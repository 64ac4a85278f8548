/**
 * Durable VRP jobs in an embedded SQLite database (better-sqlite3, WAL): inputs, status, progress,
 * results and idempotency keys. Every state change is one transaction, so a server killed at any
 * moment restarts with everything it had accepted.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WaymarkError } from '../errors.js';

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
  /** W3C trace context (JSON) of the request that submitted the job, when it was traced. */
  trace_context: string | null;
}

export function bodyHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class JobStore {
  readonly db: Database.Database;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.db = new Database(join(dir, 'jobs.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS jobs (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER,
        problem TEXT NOT NULL,
        options TEXT NOT NULL,
        body_hash TEXT NOT NULL,
        result TEXT,
        error TEXT,
        progress TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        trace_context TEXT
      );
      CREATE INDEX IF NOT EXISTS jobs_queue ON jobs (status, created_at);
      CREATE TABLE IF NOT EXISTS idempotency_keys (
        key TEXT PRIMARY KEY,
        body_hash TEXT NOT NULL,
        job_id TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
    `);
    // Databases from before trace contexts were stored get the column.
    const columns = this.db.prepare('PRAGMA table_info(jobs)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'trace_context')) this.db.exec('ALTER TABLE jobs ADD COLUMN trace_context TEXT');
  }

  /**
   * Accepts a job, or returns the job an earlier request with the same idempotency key created
   * (same body: same job; other body: IdempotencyConflict).
   */
  create(problem: string, options: string, key: string | undefined, keyTtlMs: number, traceContext?: string): { job: JobRow; created: boolean } {
    const hash = bodyHash(problem + '\u0000' + options);
    return this.db.transaction(() => {
      const now = Date.now();
      if (key !== undefined) {
        const existing = this.db.prepare('SELECT * FROM idempotency_keys WHERE key = ?').get(key) as { body_hash: string; job_id: string; created_at: number } | undefined;
        if (existing && existing.created_at > now - keyTtlMs) {
          if (existing.body_hash !== hash) {
            throw new WaymarkError('IdempotencyConflict', 'this Idempotency-Key was already used with a different body');
          }
          const job = this.get(existing.job_id);
          if (job) return { job, created: false };
        }
      }
      const id = randomUUID();
      this.db
        .prepare('INSERT INTO jobs (id, status, created_at, updated_at, problem, options, body_hash, trace_context) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(id, 'queued', now, now, problem, options, hash, traceContext ?? null);
      if (key !== undefined) {
        this.db.prepare('INSERT OR REPLACE INTO idempotency_keys (key, body_hash, job_id, created_at) VALUES (?, ?, ?, ?)').run(key, hash, id, now);
      }
      return { job: this.get(id)!, created: true };
    })();
  }

  get(id: string): JobRow | undefined {
    return this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  }

  /** The oldest queued job, now marked running. */
  claimNext(): JobRow | undefined {
    return this.db.transaction(() => {
      const job = this.db.prepare("SELECT * FROM jobs WHERE status = 'queued' ORDER BY created_at, rowid LIMIT 1").get() as JobRow | undefined;
      if (!job) return undefined;
      const now = Date.now();
      this.db.prepare("UPDATE jobs SET status = 'running', started_at = ?, updated_at = ?, attempts = attempts + 1 WHERE id = ?").run(now, now, job.id);
      return this.get(job.id);
    })();
  }

  /** After a crash: jobs that were running go back to the queue (those asked to cancel are cancelled). */
  recover(): { requeued: number; cancelled: number } {
    return this.db.transaction(() => {
      const now = Date.now();
      const cancelled = this.db
        .prepare("UPDATE jobs SET status = 'cancelled', finished_at = ?, updated_at = ? WHERE status = 'running' AND cancel_requested = 1")
        .run(now, now).changes;
      const requeued = this.db.prepare("UPDATE jobs SET status = 'queued', started_at = NULL, updated_at = ? WHERE status = 'running'").run(now).changes;
      return { requeued, cancelled };
    })();
  }

  finish(id: string, status: 'succeeded' | 'failed' | 'cancelled', result: string | null, error: { code: string; message: string } | null): void {
    const now = Date.now();
    this.db
      .prepare('UPDATE jobs SET status = ?, result = ?, error = ?, finished_at = ?, updated_at = ? WHERE id = ?')
      .run(status, result, error ? JSON.stringify(error) : null, now, now, id);
  }

  setProgress(id: string, progress: unknown): void {
    this.db.prepare('UPDATE jobs SET progress = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(progress), Date.now(), id);
  }

  /** Queued: cancelled at once. Running: flagged (the runner stops the solve). Otherwise unchanged. */
  requestCancel(id: string): JobRow | undefined {
    return this.db.transaction(() => {
      const job = this.get(id);
      if (!job) return undefined;
      const now = Date.now();
      if (job.status === 'queued') {
        this.db.prepare("UPDATE jobs SET status = 'cancelled', cancel_requested = 1, finished_at = ?, updated_at = ? WHERE id = ?").run(now, now, id);
      } else if (job.status === 'running') {
        this.db.prepare('UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ?').run(now, id);
      }
      return this.get(id);
    })();
  }

  /** Drops finished jobs older than the retention time and expired idempotency keys. */
  purge(retentionMs: number, keyTtlMs: number): { jobs: number; keys: number } {
    const now = Date.now();
    return this.db.transaction(() => {
      const jobs = this.db.prepare("DELETE FROM jobs WHERE status IN ('succeeded', 'failed', 'cancelled') AND finished_at < ?").run(now - retentionMs).changes;
      const keys = this.db.prepare('DELETE FROM idempotency_keys WHERE created_at < ?').run(now - keyTtlMs).changes;
      return { jobs, keys };
    })();
  }

  counts(): Record<JobStatus, number> {
    const out: Record<JobStatus, number> = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const row of this.db.prepare('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status').all() as { status: JobStatus; n: number }[]) out[row.status] = row.n;
    return out;
  }

  close(): void {
    this.db.close();
  }
}
