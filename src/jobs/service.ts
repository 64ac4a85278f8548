/** The VRP side of the server: the solver worker pool, the durable job store and its runner. */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { WaymarkError } from '../errors.js';
import { ApiError, apiErrorOf } from '../server/errors.js';
import { currentTaskTrace } from '../telemetry/tracing.js';
import type { QueryTask, TaskResult } from '../workers/tasks.js';
import { LoadedWorkers } from '../workers/loaded.js';
import { JobRunner } from './runner.js';
import { createJobStore, type JobStore, type StoreLog } from './store.js';

export interface VrpJobsConfig {
  dataDir: string;
  /** postgres://… for a store shared by replicas; unset: SQLite in dataDir. */
  jobsUrl?: string;
  maxConcurrentSolves: number;
  vrpMaxTimeLimit: number;
  /** Longest solution in bytes of JSON (the server's --max-answer-bytes); unset: no limit. */
  maxAnswerBytes?: number;
  jobRetentionMs: number;
  idempotencyTtlMs: number;
  /** Lease of a running job (ms); a replica that stops heartbeating loses its jobs after this. */
  jobLeaseMs: number;
  /** Queue poll period (ms), besides push notifications. */
  jobPollMs: number;
  /** Use the store's push notifications (PostgreSQL LISTEN/NOTIFY); off: poll only. */
  jobNotify: boolean;
  /** Solves get spans (linked to the submitting request's trace for jobs). */
  tracing?: boolean;
  /** Set: solver workers answer profiling requests (their event loops run between tasks). */
  adminToken?: string;
}

export class VrpJobs {
  store!: JobStore;
  runner!: JobRunner;
  readonly pool: Piscina;
  private readonly loaded: LoadedWorkers;
  readonly threadsPerSolve: number;
  private purgeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: VrpJobsConfig,
    private readonly maps: () => Record<string, string>,
    private readonly log: StoreLog,
  ) {
    // At most maxConcurrentSolves solves at once (async jobs and synchronous requests together).
    this.pool = new Piscina({
      filename: fileURLToPath(new URL('../workers/query-worker.js', import.meta.url)),
      minThreads: 0,
      maxThreads: config.maxConcurrentSolves,
      idleTimeout: 60_000,
      workerData: { tracing: Boolean(config.tracing), profiling: Boolean(config.adminToken) },
      ...(config.tracing || config.adminToken ? { atomics: 'async' as const } : {}),
    });
    this.loaded = new LoadedWorkers(this.pool);
    this.threadsPerSolve = Math.max(1, Math.floor(availableParallelism() / config.maxConcurrentSolves));
  }

  /** Opens the store (migrating it) before the server listens: a bad URL fails start-up. */
  async open(): Promise<void> {
    this.store = await createJobStore(this.config.jobsUrl, this.config.dataDir, this.log);
    try {
      await this.store.open();
    } catch (err) {
      await this.store.close().catch(() => undefined);
      throw new WaymarkError('JobStoreUnavailable', `cannot open the ${this.store.kind} job store: ${(err as Error).message}`);
    }
    this.runner = new JobRunner(this.store, this.pool, this.maps, {
      maxConcurrent: this.config.maxConcurrentSolves,
      threadsPerSolve: this.threadsPerSolve,
      maxTimeLimit: this.config.vrpMaxTimeLimit,
      ...(this.config.maxAnswerBytes !== undefined ? { maxAnswerBytes: this.config.maxAnswerBytes } : {}),
      leaseMs: this.config.jobLeaseMs,
      // At least twice a second: the heartbeat is also how a cancel reaches a solve when a
      // notification is lost (measured: 1 s heartbeats gave cancels of up to 1.4 s).
      heartbeatMs: Math.max(50, Math.min(500, Math.floor(this.config.jobLeaseMs / 3))),
      notify: this.config.jobNotify,
      pollMs: this.config.jobPollMs,
      maxAttempts: 3,
      tracing: Boolean(this.config.tracing),
      log: this.log,
    });
  }

  /** Starts running jobs (once the maps are loaded). */
  async start(): Promise<void> {
    await this.purge();
    this.purgeTimer = setInterval(() => void this.purge(), 60_000);
    this.purgeTimer.unref();
    await this.runner.start();
  }

  async purge(): Promise<void> {
    try {
      const { jobs, keys } = await this.store.purge(this.config.jobRetentionMs, this.config.idempotencyTtlMs);
      if (jobs || keys) this.log.info({ jobs, keys }, 'purged expired VRP jobs and idempotency keys');
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not purge expired VRP jobs');
    }
  }

  /** A synchronous solve on the solver pool; the answer's JSON text, or an ApiError. */
  async runSync(task: QueryTask, timeoutMs: number): Promise<string> {
    if (this.config.tracing) {
      const trace = currentTaskTrace();
      if (trace) task = { ...task, trace };
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const r = (await this.pool.run(task, { signal: controller.signal })) as TaskResult;
      if (!r.ok) throw apiErrorOf(r);
      return r.json;
    } catch (err) {
      if (err instanceof ApiError) throw err;
      if (controller.signal.aborted) throw new ApiError(504, 'Timeout', 'the solve did not finish in time and was abandoned');
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops claiming jobs and hands the running ones back (shutdown starts here, before requests drain). */
  async drain(): Promise<void> {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    await this.runner?.stop();
  }

  async close(): Promise<void> {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    await this.runner?.stop();
    await this.loaded.settle();
    await this.pool.destroy();
    await this.store?.close();
  }
}
