/**
 * Durable VRP jobs in an embedded SQLite database (better-sqlite3, WAL, synchronous=FULL): one
 * server per data directory. Every state change is one transaction, so a server killed at any
 * moment restarts with everything it had accepted; at start-up the jobs it was running (a previous
 * process's leases) are expired at once and re-queued.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WaymarkError } from '../errors.js';
import { emptyCounts, hashOf, type NewVersion, type JobError, type JobRow, type JobStatus, type JobStore } from './store.js';

/** Schema versions (PRAGMA user_version); each applied once, in order. */
const migrations: string[] = [
  `CREATE TABLE IF NOT EXISTS jobs (
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
     cancel_requested INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX IF NOT EXISTS jobs_queue ON jobs (status, created_at);
   CREATE TABLE IF NOT EXISTS idempotency_keys (
     key TEXT PRIMARY KEY,
     body_hash TEXT NOT NULL,
     job_id TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );`,
  `ALTER TABLE jobs ADD COLUMN owner TEXT;
   ALTER TABLE jobs ADD COLUMN lease_until INTEGER;`,
  `ALTER TABLE jobs ADD COLUMN trace_context TEXT;`,
  `ALTER TABLE jobs ADD COLUMN root_id TEXT;
   ALTER TABLE jobs ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
   CREATE UNIQUE INDEX IF NOT EXISTS jobs_versions ON jobs (root_id, version) WHERE root_id IS NOT NULL;`,
];

export class SqliteJobStore implements JobStore {
  readonly kind = 'sqlite';
  private db!: Database.Database;

  constructor(private readonly dir: string) {}

  async open(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    this.db = new Database(join(this.dir, 'jobs.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.transaction(() => {
      const version = this.db.pragma('user_version', { simple: true }) as number;
      for (let v = version; v < migrations.length; v++) this.db.exec(migrations[v]);
      this.db.pragma(`user_version = ${migrations.length}`);
      // Only one server uses a data directory: whatever was running belonged to a process now gone.
      this.db.prepare("UPDATE jobs SET lease_until = 0 WHERE status = 'running'").run();
    })();
  }

  async keyed(key: string, keyTtlMs: number): Promise<{ bodyHash: string; jobId: string } | undefined> {
    const row = this.db.prepare('SELECT body_hash, job_id, created_at FROM idempotency_keys WHERE key = ?').get(key) as { body_hash: string; job_id: string; created_at: number } | undefined;
    return row && row.created_at > Date.now() - keyTtlMs ? { bodyHash: row.body_hash, jobId: row.job_id } : undefined;
  }

  async create(problem: string, options: string, key: string | undefined, keyTtlMs: number, traceContext?: string, next?: NewVersion): Promise<{ job: JobRow; created: boolean }> {
    const hash = hashOf(problem, options, next);
    const rootId = next?.rootId;
    return this.db.transaction(() => {
      const now = Date.now();
      if (key !== undefined) {
        const existing = this.db.prepare('SELECT * FROM idempotency_keys WHERE key = ?').get(key) as { body_hash: string; job_id: string; created_at: number } | undefined;
        if (existing && existing.created_at > now - keyTtlMs) {
          if (existing.body_hash !== hash) throw new WaymarkError('IdempotencyConflict', 'this Idempotency-Key was already used with a different body');
          const job = this.getSync(existing.job_id);
          if (job) return { job, created: false };
        }
      }
      const id = randomUUID();
      let version = 1;
      if (rootId !== undefined) {
        const latest = this.db.prepare('SELECT MAX(version) AS v FROM jobs WHERE id = ? OR root_id = ?').get(rootId, rootId) as { v: number | null };
        if (latest.v === null) throw new WaymarkError('NotFound', `no job ${rootId}`);
        version = latest.v + 1;
      }
      this.db
        .prepare('INSERT INTO jobs (id, status, created_at, updated_at, problem, options, body_hash, trace_context, root_id, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(id, 'queued', now, now, problem, options, hash, traceContext ?? null, rootId ?? null, version);
      if (key !== undefined) {
        this.db.prepare('INSERT OR REPLACE INTO idempotency_keys (key, body_hash, job_id, created_at) VALUES (?, ?, ?, ?)').run(key, hash, id, now);
      }
      return { job: this.getSync(id)!, created: true };
    })();
  }

  private getSync(id: string): JobRow | undefined {
    return this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  }

  async get(id: string): Promise<JobRow | undefined> {
    return this.getSync(id);
  }

  async getVersion(rootId: string, version?: number): Promise<JobRow | undefined> {
    if (version === 1) return this.db.prepare('SELECT * FROM jobs WHERE id = ? AND root_id IS NULL').get(rootId) as JobRow | undefined;
    if (version !== undefined) return this.db.prepare('SELECT * FROM jobs WHERE root_id = ? AND version = ?').get(rootId, version) as JobRow | undefined;
    return this.db.prepare('SELECT * FROM jobs WHERE (id = ? AND root_id IS NULL) OR root_id = ? ORDER BY version DESC LIMIT 1').get(rootId, rootId) as JobRow | undefined;
  }

  async claimNext(owner: string, leaseMs: number): Promise<JobRow | undefined> {
    return this.db.transaction(() => {
      const job = this.db.prepare("SELECT id FROM jobs WHERE status = 'queued' ORDER BY created_at, rowid LIMIT 1").get() as { id: string } | undefined;
      if (!job) return undefined;
      const now = Date.now();
      this.db
        .prepare("UPDATE jobs SET status = 'running', owner = ?, lease_until = ?, started_at = ?, updated_at = ?, attempts = attempts + 1, progress = NULL WHERE id = ?")
        .run(owner, now + leaseMs, now, now, job.id);
      return this.getSync(job.id);
    })();
  }

  async heartbeat(owner: string, progress: Map<string, unknown>, leaseMs: number): Promise<{ cancel: string[]; lost: string[] }> {
    return this.db.transaction(() => {
      const now = Date.now();
      const cancel: string[] = [];
      const lost: string[] = [];
      const update = this.db.prepare("UPDATE jobs SET lease_until = ?, progress = ?, updated_at = ? WHERE id = ? AND owner = ? AND status = 'running' RETURNING cancel_requested");
      for (const [id, p] of progress) {
        const row = update.get(now + leaseMs, JSON.stringify(p), now, id, owner) as { cancel_requested: number } | undefined;
        if (!row) lost.push(id);
        else if (row.cancel_requested) cancel.push(id);
      }
      return { cancel, lost };
    })();
  }

  async requeueExpired(maxAttempts: number): Promise<{ requeued: number; cancelled: number; failed: number }> {
    return this.db.transaction(() => {
      const now = Date.now();
      const expired = "status = 'running' AND lease_until < ?";
      const cancelled = this.db
        .prepare(`UPDATE jobs SET status = 'cancelled', owner = NULL, lease_until = NULL, finished_at = ?, updated_at = ? WHERE ${expired} AND cancel_requested = 1`)
        .run(now, now, now).changes;
      const error = JSON.stringify({ code: 'JobAbandoned', message: `the job was started ${maxAttempts} times and never finished (its runner died each time)` });
      const failed = this.db
        .prepare(`UPDATE jobs SET status = 'failed', error = ?, owner = NULL, lease_until = NULL, finished_at = ?, updated_at = ? WHERE ${expired} AND attempts >= ?`)
        .run(error, now, now, now, maxAttempts).changes;
      const requeued = this.db
        .prepare(`UPDATE jobs SET status = 'queued', owner = NULL, lease_until = NULL, started_at = NULL, progress = NULL, updated_at = ? WHERE ${expired}`)
        .run(now, now).changes;
      return { requeued, cancelled, failed };
    })();
  }

  async finish(id: string, owner: string, status: 'succeeded' | 'failed' | 'cancelled', result: string | null, error: JobError | null): Promise<boolean> {
    const now = Date.now();
    return (
      this.db
        .prepare("UPDATE jobs SET status = ?, result = ?, error = ?, owner = NULL, lease_until = NULL, finished_at = ?, updated_at = ? WHERE id = ? AND owner = ? AND status = 'running'")
        .run(status, result, error ? JSON.stringify(error) : null, now, now, id, owner).changes === 1
    );
  }

  async release(owner: string): Promise<number> {
    return this.db
      .prepare("UPDATE jobs SET status = 'queued', owner = NULL, lease_until = NULL, started_at = NULL, progress = NULL, updated_at = ? WHERE owner = ? AND status = 'running'")
      .run(Date.now(), owner).changes;
  }

  async requestCancel(id: string): Promise<JobRow | undefined> {
    return this.db.transaction(() => {
      const job = this.getSync(id);
      if (!job) return undefined;
      const now = Date.now();
      if (job.status === 'queued') {
        this.db.prepare("UPDATE jobs SET status = 'cancelled', cancel_requested = 1, finished_at = ?, updated_at = ? WHERE id = ?").run(now, now, id);
      } else if (job.status === 'running') {
        this.db.prepare('UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ?').run(now, id);
      }
      return this.getSync(id);
    })();
  }

  async subscribe(): Promise<void> {
    // One process per database: the runner is told directly.
  }

  async purge(retentionMs: number, keyTtlMs: number): Promise<{ jobs: number; keys: number }> {
    const now = Date.now();
    return this.db.transaction(() => {
      const jobs = this.db.prepare("DELETE FROM jobs WHERE status IN ('succeeded', 'failed', 'cancelled') AND finished_at < ?").run(now - retentionMs).changes;
      const keys = this.db.prepare('DELETE FROM idempotency_keys WHERE created_at < ?').run(now - keyTtlMs).changes;
      return { jobs, keys };
    })();
  }

  async counts(): Promise<Record<JobStatus, number>> {
    const out = emptyCounts();
    for (const row of this.db.prepare('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status').all() as { status: JobStatus; n: number }[]) out[row.status] = row.n;
    return out;
  }

  async close(): Promise<void> {
    if (this.db?.open) this.db.close();
  }
}
