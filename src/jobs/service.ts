/** The VRP side of the server: the solver worker pool, the durable job store and its runner. */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { ApiError, apiErrorOf } from '../server/errors.js';
import { currentTaskTrace } from '../telemetry/tracing.js';
import type { QueryTask, TaskResult } from '../workers/tasks.js';
import { JobRunner } from './runner.js';
import { JobStore } from './store.js';

export interface VrpJobsConfig {
  dataDir: string;
  maxConcurrentSolves: number;
  vrpMaxTimeLimit: number;
  jobRetentionMs: number;
  idempotencyTtlMs: number;
  tracing?: boolean;
  adminToken?: string;
}

type Log = { info(obj: object, msg: string): void; error(obj: object, msg: string): void };

export class VrpJobs {
  readonly store: JobStore;
  readonly runner: JobRunner;
  readonly pool: Piscina;
  readonly threadsPerSolve: number;
  private purgeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: VrpJobsConfig,
    maps: () => Record<string, string>,
    private readonly log: Log,
  ) {
    this.store = new JobStore(config.dataDir);
    // At most maxConcurrentSolves solves at once (async jobs and synchronous requests together).
    this.pool = new Piscina({
      filename: fileURLToPath(new URL('../workers/query-worker.js', import.meta.url)),
      minThreads: 0,
      maxThreads: config.maxConcurrentSolves,
      idleTimeout: 60_000,
      workerData: { tracing: Boolean(config.tracing), profiling: Boolean(config.adminToken) },
      ...(config.tracing || config.adminToken ? { atomics: 'async' as const } : {}),
    });
    this.threadsPerSolve = Math.max(1, Math.floor(availableParallelism() / config.maxConcurrentSolves));
    this.runner = new JobRunner(this.store, this.pool, maps, {
      maxConcurrent: config.maxConcurrentSolves,
      threadsPerSolve: this.threadsPerSolve,
      maxTimeLimit: config.vrpMaxTimeLimit,
      tracing: Boolean(config.tracing),
      log,
    });
  }

  start(): void {
    this.purge();
    this.purgeTimer = setInterval(() => this.purge(), 60_000);
    this.purgeTimer.unref();
    this.runner.start();
  }

  purge(): void {
    const { jobs, keys } = this.store.purge(this.config.jobRetentionMs, this.config.idempotencyTtlMs);
    if (jobs || keys) this.log.info({ jobs, keys }, 'purged expired VRP jobs and idempotency keys');
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

  async close(): Promise<void> {
    this.runner.stop();
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    await this.pool.destroy();
    this.store.close();
  }
}
