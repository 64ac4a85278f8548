/**
 * VRP jobs in PostgreSQL (node-postgres), shared by any number of `waymark serve` replicas.
 * - Claiming: `FOR UPDATE SKIP LOCKED` on the oldest queued row, so replicas never wait for or
 *   double-claim each other's jobs. Leases and timestamps use the database's clock (no clock skew
 *   between replicas).
 * - Idempotency: the key's primary key decides; the first INSERT wins and concurrent ones (blocked
 *   on the unique index until it commits) read its job. No check-then-insert.
 * - Push: NOTIFY on the `waymark_jobs` channel when a job is queued or a cancel is requested; each
 *   replica LISTENs on one dedicated connection (re-established after a database restart). The
 *   runner also polls, so a lost notification only delays.
 * - Migrations: versioned, applied at start-up under a transaction-level advisory lock so replicas
 *   starting together apply each version once.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { WaymarkError } from '../errors.js';
import { emptyCounts, hashOf, JobStoreUnavailable, type NewVersion, type JobError, type JobRow, type JobStatus, type JobStore, type StoreLog } from './store.js';

const CHANNEL = 'waymark_jobs';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** pg_advisory_xact_lock key for migrations ("waymark" in ASCII, truncated to int8). */
const MIGRATION_LOCK = 0x7761796d61726bn;

/** Versioned schema; version n is migrations[n - 1]. Never edit one that shipped: append. */
export const migrations: string[] = [
  `CREATE TABLE waymark_jobs (
     id uuid PRIMARY KEY,
     seq bigserial NOT NULL,
     status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
     created_at bigint NOT NULL,
     updated_at bigint NOT NULL,
     started_at bigint,
     finished_at bigint,
     problem text NOT NULL,
     options text NOT NULL,
     body_hash text NOT NULL,
     result text,
     error text,
     progress text,
     attempts integer NOT NULL DEFAULT 0,
     cancel_requested integer NOT NULL DEFAULT 0,
     owner text,
     lease_until bigint
   );
   CREATE INDEX waymark_jobs_queue ON waymark_jobs (created_at, seq) WHERE status = 'queued';
   CREATE INDEX waymark_jobs_leases ON waymark_jobs (lease_until) WHERE status = 'running';
   CREATE INDEX waymark_jobs_finished ON waymark_jobs (finished_at) WHERE finished_at IS NOT NULL;
   CREATE TABLE waymark_idempotency_keys (
     key text PRIMARY KEY,
     body_hash text NOT NULL,
     job_id uuid NOT NULL,
     created_at bigint NOT NULL
   );`,
  `ALTER TABLE waymark_jobs ADD COLUMN trace_context text;`,
  `ALTER TABLE waymark_jobs ADD COLUMN root_id uuid;
   ALTER TABLE waymark_jobs ADD COLUMN version integer NOT NULL DEFAULT 1;
   CREATE UNIQUE INDEX waymark_jobs_versions ON waymark_jobs (root_id, version) WHERE root_id IS NOT NULL;`,
];

const NOW = '(extract(epoch from clock_timestamp()) * 1000)::bigint';
const COLUMNS =
  'id::text, status, created_at, updated_at, started_at, finished_at, problem, options, body_hash, result, error, progress, attempts, cancel_requested, owner, lease_until, trace_context, root_id::text, version';

/** bigint columns as numbers (ms timestamps fit in a double). */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Connection-level failures (server down, restarting, network) rather than errors in our SQL. */
function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (typeof e?.code === 'string' && /^(08|57P0[1-3]|53300|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND)/.test(e.code)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|the database system is (starting up|shutting down)/i.test(e?.message ?? '');
}

export class PostgresJobStore implements JobStore {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;
  private listener: pg.Client | undefined;
  private subscriber: { queued(): void; cancel(id: string): void } | undefined;
  private closed = false;
  private relistenTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly log?: StoreLog,
  ) {
    this.pool = new pg.Pool({ connectionString: url, max: 8, types, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000 });
    // An idle connection dropped by a database restart must not crash the process.
    this.pool.on('error', (err) => this.log?.warn({ err: err.message }, 'job database connection lost'));
  }

  /** Runs SQL, turning connection failures into JobStoreUnavailable (the API answers 503). */
  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (err) {
      if (isConnectionError(err)) throw new JobStoreUnavailable(`the job database is unreachable: ${(err as Error).message}`);
      throw err;
    }
  }

  private async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw new JobStoreUnavailable(`the job database is unreachable: ${(err as Error).message}`);
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      if (isConnectionError(err)) {
        broken = true;
        throw new JobStoreUnavailable(`the job database is unreachable: ${(err as Error).message}`);
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async open(): Promise<void> {
    await this.migrate();
  }

  /** Applies pending migrations; replicas starting together serialise on the advisory lock. */
  async migrate(): Promise<number[]> {
    return this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
      await client.query('CREATE TABLE IF NOT EXISTS waymark_schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const done = new Set((await client.query<{ version: number }>('SELECT version FROM waymark_schema_migrations')).rows.map((r) => r.version));
      const applied: number[] = [];
      for (const [i, sql] of migrations.entries()) {
        const version = i + 1;
        if (done.has(version)) continue;
        await client.query(sql);
        await client.query('INSERT INTO waymark_schema_migrations (version) VALUES ($1)', [version]);
        applied.push(version);
      }
      if (applied.length) this.log?.info({ applied }, 'job database migrated');
      return applied;
    });
  }

  async keyed(key: string, keyTtlMs: number): Promise<{ bodyHash: string; jobId: string } | undefined> {
    const row = (
      await this.query<{ body_hash: string; job_id: string }>(
        `SELECT body_hash, job_id::text FROM waymark_idempotency_keys WHERE key = $1 AND created_at > ${NOW} - $2`,
        [key, keyTtlMs],
      )
    ).rows[0];
    return row ? { bodyHash: row.body_hash, jobId: row.job_id } : undefined;
  }

  async create(problem: string, options: string, key: string | undefined, keyTtlMs: number, traceContext?: string, next?: NewVersion): Promise<{ job: JobRow; created: boolean }> {
    const hash = hashOf(problem, options, next);
    const rootId = next?.rootId;
    if (rootId !== undefined && !UUID.test(rootId)) throw new WaymarkError('NotFound', `no job ${rootId}`);
    const result = await this.transaction(async (client) => {
      const id = randomUUID();
      if (key !== undefined) {
        for (;;) {
          const won = await client.query(
            `INSERT INTO waymark_idempotency_keys (key, body_hash, job_id, created_at) VALUES ($1, $2, $3, ${NOW}) ON CONFLICT (key) DO NOTHING`,
            [key, hash, id],
          );
          if (won.rowCount === 1) break;
          const existing = (
            await client.query<{ body_hash: string; job_id: string; expired: boolean }>(
              `SELECT body_hash, job_id::text, created_at <= ${NOW} - $2 AS expired FROM waymark_idempotency_keys WHERE key = $1`,
              [key, keyTtlMs],
            )
          ).rows[0];
          if (!existing) continue; // purged in between: try the insert again
          if (existing.expired) {
            // An expired key starts afresh; only one of several concurrent requests replaces it.
            const replaced = await client.query(
              `UPDATE waymark_idempotency_keys SET body_hash = $2, job_id = $3, created_at = ${NOW} WHERE key = $1 AND created_at <= ${NOW} - $4`,
              [key, hash, id, keyTtlMs],
            );
            if (replaced.rowCount === 1) break;
            continue;
          }
          if (existing.body_hash !== hash) throw new WaymarkError('IdempotencyConflict', 'this Idempotency-Key was already used with a different body');
          const job = (await client.query<JobRow>(`SELECT ${COLUMNS} FROM waymark_jobs WHERE id = $1`, [existing.job_id])).rows[0];
          if (job) return { job, created: false };
          // The job was purged but the key lives on: give the key a new job.
          await client.query('UPDATE waymark_idempotency_keys SET job_id = $2 WHERE key = $1', [key, id]);
          break;
        }
      }
      let version = 1;
      if (rootId !== undefined) {
        // The root row's lock numbers concurrent replans of one job one after the other.
        const root = await client.query('SELECT 1 FROM waymark_jobs WHERE id = $1 AND root_id IS NULL FOR UPDATE', [rootId]);
        if (root.rowCount !== 1) throw new WaymarkError('NotFound', `no job ${rootId}`);
        const latest = await client.query<{ v: number }>('SELECT MAX(version)::int AS v FROM waymark_jobs WHERE id = $1 OR root_id = $1', [rootId]);
        version = latest.rows[0].v + 1;
      }
      const job = (
        await client.query<JobRow>(
          `INSERT INTO waymark_jobs (id, status, created_at, updated_at, problem, options, body_hash, trace_context, root_id, version)
           VALUES ($1, 'queued', ${NOW}, ${NOW}, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
          [id, problem, options, hash, traceContext ?? null, rootId ?? null, version],
        )
      ).rows[0];
      await client.query('SELECT pg_notify($1, $2)', [CHANNEL, 'queued']);
      return { job, created: true };
    });
    return result;
  }

  async get(id: string): Promise<JobRow | undefined> {
    if (!UUID.test(id)) return undefined;
    return (await this.query<JobRow>(`SELECT ${COLUMNS} FROM waymark_jobs WHERE id = $1`, [id])).rows[0];
  }

  async getVersion(rootId: string, version?: number): Promise<JobRow | undefined> {
    if (!UUID.test(rootId)) return undefined;
    if (version === 1) return (await this.query<JobRow>(`SELECT ${COLUMNS} FROM waymark_jobs WHERE id = $1 AND root_id IS NULL`, [rootId])).rows[0];
    if (version !== undefined) return (await this.query<JobRow>(`SELECT ${COLUMNS} FROM waymark_jobs WHERE root_id = $1 AND version = $2`, [rootId, version])).rows[0];
    return (
      await this.query<JobRow>(`SELECT ${COLUMNS} FROM waymark_jobs WHERE (id = $1 AND root_id IS NULL) OR root_id = $1 ORDER BY version DESC LIMIT 1`, [rootId])
    ).rows[0];
  }

  async claimNext(owner: string, leaseMs: number): Promise<JobRow | undefined> {
    const r = await this.query<JobRow>(
      `UPDATE waymark_jobs SET status = 'running', owner = $1, lease_until = ${NOW} + $2, started_at = ${NOW}, updated_at = ${NOW},
              attempts = attempts + 1, progress = NULL
        WHERE id = (SELECT id FROM waymark_jobs WHERE status = 'queued' ORDER BY created_at, seq LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING ${COLUMNS}`,
      [owner, leaseMs],
    );
    return r.rows[0];
  }

  async heartbeat(owner: string, progress: Map<string, unknown>, leaseMs: number): Promise<{ cancel: string[]; lost: string[] }> {
    if (progress.size === 0) return { cancel: [], lost: [] };
    const ids = [...progress.keys()];
    const r = await this.query<{ id: string; cancel_requested: number }>(
      `UPDATE waymark_jobs AS j SET lease_until = ${NOW} + $2, progress = p.progress, updated_at = ${NOW}
         FROM unnest($3::uuid[], $4::text[]) AS p(id, progress)
        WHERE j.id = p.id AND j.owner = $1 AND j.status = 'running'
        RETURNING j.id::text, j.cancel_requested`,
      [owner, leaseMs, ids, ids.map((id) => JSON.stringify(progress.get(id)))],
    );
    const held = new Set(r.rows.map((row) => row.id));
    return { cancel: r.rows.filter((row) => row.cancel_requested).map((row) => row.id), lost: ids.filter((id) => !held.has(id)) };
  }

  async requeueExpired(maxAttempts: number): Promise<{ requeued: number; cancelled: number; failed: number }> {
    const error = JSON.stringify({ code: 'JobAbandoned', message: `the job was started ${maxAttempts} times and never finished (its runner died each time)` });
    const r = await this.query<{ status: JobStatus }>(
      `UPDATE waymark_jobs SET
          status = CASE WHEN cancel_requested = 1 THEN 'cancelled' WHEN attempts >= $1 THEN 'failed' ELSE 'queued' END,
          error = CASE WHEN cancel_requested = 0 AND attempts >= $1 THEN $2 ELSE error END,
          finished_at = CASE WHEN cancel_requested = 1 OR attempts >= $1 THEN ${NOW} END,
          started_at = CASE WHEN cancel_requested = 1 OR attempts >= $1 THEN started_at END,
          progress = NULL, owner = NULL, lease_until = NULL, updated_at = ${NOW}
        WHERE id IN (SELECT id FROM waymark_jobs WHERE status = 'running' AND lease_until < ${NOW} FOR UPDATE SKIP LOCKED)
        RETURNING status`,
      [maxAttempts, error],
    );
    const out = { requeued: 0, cancelled: 0, failed: 0 };
    for (const row of r.rows) {
      if (row.status === 'queued') out.requeued++;
      else if (row.status === 'cancelled') out.cancelled++;
      else out.failed++;
    }
    if (out.requeued) await this.query('SELECT pg_notify($1, $2)', [CHANNEL, 'queued']);
    return out;
  }

  async finish(id: string, owner: string, status: 'succeeded' | 'failed' | 'cancelled', result: string | null, error: JobError | null): Promise<boolean> {
    const r = await this.query(
      `UPDATE waymark_jobs SET status = $3, result = $4, error = $5, owner = NULL, lease_until = NULL, finished_at = ${NOW}, updated_at = ${NOW}
        WHERE id = $1 AND owner = $2 AND status = 'running'`,
      [id, owner, status, result, error ? JSON.stringify(error) : null],
    );
    return r.rowCount === 1;
  }

  async release(owner: string): Promise<number> {
    const r = await this.query(
      `UPDATE waymark_jobs SET status = 'queued', owner = NULL, lease_until = NULL, started_at = NULL, progress = NULL, updated_at = ${NOW}
        WHERE owner = $1 AND status = 'running'`,
      [owner],
    );
    if (r.rowCount) await this.query('SELECT pg_notify($1, $2)', [CHANNEL, 'queued']);
    return r.rowCount ?? 0;
  }

  async requestCancel(id: string): Promise<JobRow | undefined> {
    if (!(await this.get(id))) return undefined;
    return this.transaction(async (client) => {
      const job = (
        await client.query<JobRow>(
          `UPDATE waymark_jobs SET cancel_requested = 1, updated_at = ${NOW},
                  status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
                  finished_at = CASE WHEN status = 'queued' THEN ${NOW} ELSE finished_at END
            WHERE id = $1 AND status IN ('queued', 'running')
            RETURNING ${COLUMNS}`,
          [id],
        )
      ).rows[0];
      if (job?.status === 'running') await client.query('SELECT pg_notify($1, $2)', [CHANNEL, `cancel:${id}`]);
      return job ?? (await client.query<JobRow>(`SELECT ${COLUMNS} FROM waymark_jobs WHERE id = $1`, [id])).rows[0];
    });
  }

  async subscribe(listener: { queued(): void; cancel(id: string): void }): Promise<void> {
    this.subscriber = listener;
    await this.listen();
  }

  /** One dedicated LISTEN connection; re-established (with a catch-up poll) when it drops. */
  private async listen(): Promise<void> {
    if (this.closed || !this.subscriber) return;
    const client = new pg.Client({ connectionString: this.url, types, connectionTimeoutMillis: 5000 });
    const retry = () => {
      if (this.closed || this.listener !== client) return;
      this.listener = undefined;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      clearTimeout(this.relistenTimer);
      this.relistenTimer = setTimeout(() => void this.listen(), 500);
      this.relistenTimer.unref();
    };
    this.listener = client;
    client.on('error', (err) => {
      this.log?.warn({ err: err.message }, 'job notifications lost; reconnecting');
      retry();
    });
    client.on('end', retry);
    client.on('notification', (n) => {
      const payload = n.payload ?? '';
      if (payload === 'queued') this.subscriber?.queued();
      else if (payload.startsWith('cancel:')) this.subscriber?.cancel(payload.slice('cancel:'.length));
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      // Whatever was queued while we were not listening.
      this.subscriber.queued();
    } catch (err) {
      this.log?.warn({ err: (err as Error).message }, 'cannot listen for job notifications; retrying');
      retry();
    }
  }

  async purge(retentionMs: number, keyTtlMs: number): Promise<{ jobs: number; keys: number }> {
    const jobs = await this.query(`DELETE FROM waymark_jobs WHERE status IN ('succeeded', 'failed', 'cancelled') AND finished_at < ${NOW} - $1`, [retentionMs]);
    const keys = await this.query(`DELETE FROM waymark_idempotency_keys WHERE created_at < ${NOW} - $1`, [keyTtlMs]);
    return { jobs: jobs.rowCount ?? 0, keys: keys.rowCount ?? 0 };
  }

  async counts(): Promise<Record<JobStatus, number>> {
    const out = emptyCounts();
    for (const row of (await this.query<{ status: JobStatus; n: number }>('SELECT status, COUNT(*)::int AS n FROM waymark_jobs GROUP BY status')).rows) out[row.status] = row.n;
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.relistenTimer);
    const listener = this.listener;
    this.listener = undefined;
    if (listener) await listener.end().catch(() => undefined);
    await this.pool.end();
  }
}
