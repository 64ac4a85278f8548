/**
 * Runs queued VRP jobs from the job store, at most `maxConcurrent` at once, each in a solver worker
 * thread. Several runners (replicas) may share one store: each claims jobs under a lease and renews
 * it with a heartbeat that also stores the job's progress; a runner that dies stops renewing and
 * any runner re-queues its jobs once the lease expires. Cancellation and progress reach the solver
 * through shared memory: the native solver polls the cancel flag every iteration (so a running
 * solve stops within a second, keeping its best solution) and publishes its best cost.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { SpanStatusCode, type Span } from '@opentelemetry/api';
import type { Piscina } from 'piscina';
import { startLinkedSpan } from '../telemetry/tracing.js';
import type { QueryTask, TaskResult } from '../workers/tasks.js';
import type { JobError, JobRow, JobStore } from './store.js';
import { modeOf, snapOptionsOf } from '../vrp/solve.js';

interface Active {
  control: Int32Array;
  progress: Float64Array;
  started: number;
}

export interface RunnerOptions {
  maxConcurrent: number;
  threadsPerSolve: number;
  maxTimeLimit: number;
  /** Longest solution (bytes of JSON) a job may produce: past it the job fails with TooBig. */
  maxAnswerBytes?: number;
  /** How long a claimed job stays ours without a heartbeat (ms). */
  leaseMs: number;
  /** Heartbeat (lease renewal, progress, cancel check) period (ms). */
  heartbeatMs: number;
  /** Queue poll period (ms): finds jobs whose notification was missed and expired leases. */
  pollMs: number;
  /** Listen to the store's notifications (new jobs, cancels) besides polling. */
  notify: boolean;
  /** Runs after which a job whose runner keeps dying is failed. */
  maxAttempts: number;
  /** Each solve gets a span linked to the submitting request's trace. */
  tracing?: boolean;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export type JobProgress = { elapsed_s: number; best_cost: number | null; improvements: number };

export class JobRunner {
  /** This runner's identity in leases: host, pid and a random part (pids repeat across pods). */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly active = new Map<string, Active>();
  private stopped = false;
  private ticking = false;
  private tickAgain = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly pendingFinishes = new Set<Promise<void>>();

  constructor(
    private readonly store: JobStore,
    private readonly pool: Piscina,
    private readonly maps: () => Record<string, string>,
    private readonly options: RunnerOptions,
  ) {}

  async start(): Promise<void> {
    if (this.options.notify) await this.store.subscribe({ queued: () => this.tick(), cancel: (id) => this.flagCancel(id) });
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.options.heartbeatMs);
    this.heartbeatTimer.unref();
    this.pollTimer = setInterval(() => void this.poll(), this.options.pollMs);
    this.pollTimer.unref();
    await this.poll();
  }

  /** Re-queues expired leases (any runner's), then claims what there is room for. */
  private async poll(): Promise<void> {
    if (this.stopped) return;
    try {
      const { requeued, cancelled, failed } = await this.store.requeueExpired(this.options.maxAttempts);
      if (requeued || cancelled || failed) this.options.log.info({ requeued, cancelled, failed }, 'recovered jobs whose runner stopped');
    } catch (err) {
      this.options.log.warn({ err: (err as Error).message }, 'could not check job leases');
    }
    this.tick();
  }

  /** Starts queued jobs while there is capacity (one claim loop at a time). */
  tick(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    void (async () => {
      try {
        do {
          this.tickAgain = false;
          while (!this.stopped && this.active.size < this.options.maxConcurrent) {
            const job = await this.store.claimNext(this.owner, this.options.leaseMs);
            if (!job) break;
            if (this.stopped) {
              // Claimed while stopping: leave it to expire and be re-run elsewhere.
              break;
            }
            this.run(job);
          }
        } while (this.tickAgain && !this.stopped && this.active.size < this.options.maxConcurrent);
      } catch (err) {
        this.options.log.warn({ err: (err as Error).message }, 'could not claim jobs; retrying at the next poll');
      } finally {
        this.ticking = false;
      }
    })();
  }

  private run(job: JobRow): void {
    const control = new Int32Array(new SharedArrayBuffer(4));
    const progress = new Float64Array(new SharedArrayBuffer(5 * 8));
    this.active.set(job.id, { control, progress, started: Date.now() });
    if (job.cancel_requested) Atomics.store(control, 0, 1);
    const options = JSON.parse(job.options) as {
      time_limit?: number;
      run_to_time_limit?: boolean;
      seed?: number;
      geometry?: boolean;
      snap_radius?: number | 'unlimited';
      snap_threshold?: number;
      warm_start?: Record<string, { type: 'job' | 'pickup' | 'delivery'; id: number }[]>;
    };
    let task: QueryTask = {
      kind: 'vrp',
      maps: this.maps(),
      problem: JSON.parse(job.problem),
      options: {
        ...(options.time_limit !== undefined ? { timeLimit: Math.min(options.time_limit, this.options.maxTimeLimit) } : {}),
        maxTimeLimit: this.options.maxTimeLimit,
        ...(options.run_to_time_limit ? { runToTimeLimit: true } : {}),
        seed: options.seed ?? 1,
        threads: this.options.threadsPerSolve,
        geometry: options.geometry ?? false,
        ...snapOptionsOf(options),
        mode: modeOf(options),
        ...(options.warm_start ? { warmStart: options.warm_start } : {}),
        control,
        progress,
      },
      ...(this.options.maxAnswerBytes !== undefined ? { maxBytes: this.options.maxAnswerBytes } : {}),
    };
    let span: Span | undefined;
    if (this.options.tracing) {
      const linked = startLinkedSpan('vrp.job', job.trace_context, { 'waymark.job.id': job.id, 'waymark.job.attempt': job.attempts });
      span = linked.span;
      if (linked.trace) task = { ...task, trace: linked.trace };
    }
    this.options.log.info({ job: job.id, attempt: job.attempts, owner: this.owner }, 'VRP job started');
    this.pool
      .run(task)
      .then(
        (r: TaskResult) => {
          const cancelled = Atomics.load(control, 0) !== 0;
          const status = r.ok ? (cancelled ? 'cancelled' : 'succeeded') : 'failed';
          span?.setAttribute('waymark.job.status', status);
          if (!r.ok) span?.setStatus({ code: SpanStatusCode.ERROR, message: r.message });
          return this.finish(job.id, status, r.ok ? r.json : null, r.ok ? null : { code: r.code, message: r.message });
        },
        (err: Error) => {
          span?.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
          // The worker died (or the pool stopped): a stopped runner leaves the lease to expire.
          if (!this.stopped) return this.finish(job.id, 'failed', null, { code: 'InternalError', message: err.message });
        },
      )
      .finally(() => {
        span?.end();
        this.active.delete(job.id);
        this.tick();
      });
  }

  /**
   * Records the outcome, retrying while the store is unreachable (a database restart) for up to
   * one lease: past that, another runner may have re-claimed the job and will record its own.
   */
  private async finish(id: string, status: 'succeeded' | 'failed' | 'cancelled', json: string | null, error: JobError | null): Promise<void> {
    const deadline = Date.now() + this.options.leaseMs;
    const attempt = async (): Promise<void> => {
      for (;;) {
        try {
          const recorded = await this.store.finish(id, this.owner, status, json, error);
          if (recorded) this.options.log.info({ job: id, status }, 'VRP job finished');
          else this.options.log.warn({ job: id, status }, 'VRP job finished after its lease was lost; the result is dropped');
          return;
        } catch (err) {
          if (Date.now() > deadline || this.stopped) {
            this.options.log.error({ job: id, err: (err as Error).message }, 'could not record a finished VRP job; it will be re-run');
            return;
          }
          await new Promise((res) => setTimeout(res, 250));
        }
      }
    };
    const p = attempt();
    this.pendingFinishes.add(p);
    await p.finally(() => this.pendingFinishes.delete(p));
  }

  /** Renews our leases, stores progress, and picks up cancellations the notifications missed. */
  private async heartbeat(): Promise<void> {
    if (this.active.size === 0) return;
    const progress = new Map<string, unknown>();
    for (const id of this.active.keys()) progress.set(id, this.progressOf(id));
    try {
      const { cancel, lost } = await this.store.heartbeat(this.owner, progress, this.options.leaseMs);
      for (const id of cancel) this.flagCancel(id);
      for (const id of lost) {
        // Another runner re-queued it (we were unreachable past the lease): stop duplicating work.
        if (this.active.has(id)) {
          this.options.log.warn({ job: id }, 'lease lost; abandoning the local solve');
          this.flagCancel(id);
        }
      }
    } catch (err) {
      this.options.log.warn({ err: (err as Error).message }, 'could not renew job leases');
    }
  }

  private flagCancel(id: string): void {
    const active = this.active.get(id);
    if (active) Atomics.store(active.control, 0, 1);
  }

  /** Cancels a job: queued ones at once, running ones by flagging their solver (wherever it runs). */
  async cancel(id: string): Promise<JobRow | undefined> {
    const job = await this.store.requestCancel(id);
    if (job) this.flagCancel(id);
    return job;
  }

  /** Live progress of a job running here. */
  progressOf(id: string): JobProgress | undefined {
    const a = this.active.get(id);
    if (!a) return undefined;
    const cost = a.progress[4];
    return { elapsed_s: (Date.now() - a.started) / 1000, best_cost: a.progress[0] > 0 || cost > 0 ? cost : null, improvements: a.progress[2] };
  }

  running(): number {
    return this.active.size;
  }

  /**
   * Stops taking jobs and hands the running ones back to the queue (another runner, or this one
   * after a restart, re-runs them); if the store is unreachable, their leases expire instead.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.heartbeatTimer);
    clearInterval(this.pollTimer);
    await Promise.allSettled([...this.pendingFinishes]);
    if (this.active.size === 0) return;
    try {
      const released = await this.store.release(this.owner);
      if (released) this.options.log.info({ released }, 'running VRP jobs handed back to the queue');
    } catch (err) {
      this.options.log.warn({ err: (err as Error).message }, 'could not hand back running jobs; their leases will expire');
    }
  }
}
