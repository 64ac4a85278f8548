/**
 * Runs queued VRP jobs from the durable store, at most `maxConcurrent` at once, each in a solver
 * worker thread. Cancellation and progress go through shared memory: the native solver polls the
 * cancel flag every iteration (so a running solve stops within a second, keeping its best solution)
 * and publishes its best cost, which GET /vrp/jobs/{id} reads.
 */
import { SpanStatusCode, type Span } from '@opentelemetry/api';
import type { Piscina } from 'piscina';
import { startLinkedSpan } from '../telemetry/tracing.js';
import type { QueryTask, TaskResult } from '../workers/tasks.js';
import type { JobRow, JobStore } from './store.js';

interface Active {
  control: Int32Array;
  progress: Float64Array;
  started: number;
}

export interface RunnerOptions {
  maxConcurrent: number;
  threadsPerSolve: number;
  maxTimeLimit: number;
  /** Each solve gets a span linked to the submitting request's trace. */
  tracing?: boolean;
  log: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export class JobRunner {
  private readonly active = new Map<string, Active>();
  private stopped = false;

  constructor(
    private readonly store: JobStore,
    private readonly pool: Piscina,
    private readonly maps: () => Record<string, string>,
    private readonly options: RunnerOptions,
  ) {}

  start(): void {
    const { requeued, cancelled } = this.store.recover();
    if (requeued || cancelled) this.options.log.info({ requeued, cancelled }, 'recovered jobs that were running when the server stopped');
    this.tick();
  }

  /** Starts queued jobs while there is capacity. */
  tick(): void {
    while (!this.stopped && this.active.size < this.options.maxConcurrent) {
      const job = this.store.claimNext();
      if (!job) return;
      this.run(job);
    }
  }

  private run(job: JobRow): void {
    const control = new Int32Array(new SharedArrayBuffer(4));
    const progress = new Float64Array(new SharedArrayBuffer(5 * 8));
    this.active.set(job.id, { control, progress, started: Date.now() });
    const options = JSON.parse(job.options) as { time_limit?: number; seed?: number; geometry?: boolean };
    let task: QueryTask = {
      kind: 'vrp',
      maps: this.maps(),
      problem: JSON.parse(job.problem),
      options: {
        timeLimit: Math.min(options.time_limit ?? 5, this.options.maxTimeLimit),
        seed: options.seed ?? 1,
        threads: this.options.threadsPerSolve,
        geometry: options.geometry ?? false,
        control,
        progress,
      },
    };
    let span: Span | undefined;
    if (this.options.tracing) {
      const linked = startLinkedSpan('vrp.job', job.trace_context, { 'waymark.job.id': job.id, 'waymark.job.attempt': job.attempts });
      span = linked.span;
      if (linked.trace) task = { ...task, trace: linked.trace };
    }
    this.options.log.info({ job: job.id, attempt: job.attempts }, 'VRP job started');
    this.pool
      .run(task)
      .then((r: TaskResult) => {
        const cancelled = Atomics.load(control, 0) !== 0;
        span?.setAttribute('waymark.job.status', cancelled ? 'cancelled' : r.ok ? 'succeeded' : 'failed');
        if (!r.ok) span?.setStatus({ code: SpanStatusCode.ERROR, message: r.message });
        if (r.ok) this.store.finish(job.id, cancelled ? 'cancelled' : 'succeeded', r.json, null);
        else this.store.finish(job.id, 'failed', null, { code: r.code, message: r.message });
        this.options.log.info({ job: job.id, status: cancelled ? 'cancelled' : r.ok ? 'succeeded' : 'failed' }, 'VRP job finished');
      })
      .catch((err: Error) => {
        span?.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
        // The worker died (or the pool stopped): a stopped server re-queues it on restart.
        if (!this.stopped) {
          this.store.finish(job.id, 'failed', null, { code: 'InternalError', message: err.message });
          this.options.log.error({ job: job.id, err }, 'VRP job failed');
        }
      })
      .finally(() => {
        span?.end();
        this.active.delete(job.id);
        this.tick();
      });
  }

  /** Cancels a job: queued ones at once, running ones by flagging their solver. */
  cancel(id: string): JobRow | undefined {
    const job = this.store.requestCancel(id);
    const active = this.active.get(id);
    if (job && active) Atomics.store(active.control, 0, 1);
    return job;
  }

  /** Live progress of a running job. */
  progressOf(id: string): { elapsed_s: number; best_cost: number | null; improvements: number } | undefined {
    const a = this.active.get(id);
    if (!a) return undefined;
    const cost = a.progress[4];
    return { elapsed_s: (Date.now() - a.started) / 1000, best_cost: a.progress[0] > 0 || cost > 0 ? cost : null, improvements: a.progress[2] };
  }

  running(): number {
    return this.active.size;
  }

  /** Stops taking jobs; running ones are left as running in the store and re-queued on restart. */
  stop(): void {
    this.stopped = true;
  }
}
