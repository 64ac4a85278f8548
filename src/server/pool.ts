/**
 * The worker pool behind every query: bounded queue (503 + Retry-After when full, at once) and a
 * per-request timeout (504; the worker running the abandoned task is terminated and replaced, so
 * the work really stops).
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { currentTaskTrace } from '../telemetry/tracing.js';
import { LoadedWorkers } from '../workers/loaded.js';
import type { QueryTask, TaskResult, WorkerOptions } from '../workers/tasks.js';
import { ApiError, apiErrorOf } from './errors.js';

export class QueryPool {
  readonly piscina: Piscina;
  private readonly loaded: LoadedWorkers;
  /** Seconds workers spent on finished tasks, and the start times of the tasks running now. */
  private busyFinished = 0;
  private readonly running = new Set<{ started: number }>();

  constructor(
    workers: number,
    maxQueue: number,
    private readonly timeoutMs: number,
    private readonly workerOptions: WorkerOptions = { tracing: false, profiling: false },
  ) {
    this.piscina = new Piscina({
      filename: fileURLToPath(new URL('../workers/query-worker.js', import.meta.url)),
      minThreads: workers,
      maxThreads: workers,
      maxQueue,
      idleTimeout: 2 ** 31 - 1,
      workerData: workerOptions,
      // Idle workers block in Atomics.wait by default; tracing (span export) and profiling
      // (inspector requests) need their event loops to run between tasks.
      ...(workerOptions.tracing || workerOptions.profiling ? { atomics: 'async' as const } : {}),
    });
    this.loaded = new LoadedWorkers(this.piscina);
  }

  /** Runs a task; resolves with the JSON answer (text, or bytes when big) or throws an ApiError. */
  async run(task: QueryTask, timeoutMs = this.timeoutMs): Promise<string | Buffer> {
    const queue = this.piscina.options.maxQueue as number;
    if (this.piscina.queueSize >= queue) {
      throw new ApiError(503, 'Overloaded', 'the server is at capacity; retry shortly', { 'retry-after': '1' });
    }
    if (this.workerOptions.tracing) {
      const trace = currentTaskTrace();
      if (trace) task = { ...task, trace };
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const busy = { started: performance.now() };
    this.running.add(busy);
    try {
      const result = (await this.piscina.run(task, { signal: controller.signal })) as TaskResult | Uint8Array;
      if (result instanceof Uint8Array) return Buffer.from(result.buffer, result.byteOffset, result.byteLength);
      if (!result.ok) throw apiErrorOf(result);
      return result.json;
    } catch (err) {
      if (err instanceof ApiError) throw err;
      if (controller.signal.aborted) {
        throw new ApiError(504, 'Timeout', `the request took longer than ${timeoutMs} ms and was abandoned`);
      }
      if (/queue is at limit/i.test((err as Error).message)) {
        throw new ApiError(503, 'Overloaded', 'the server is at capacity; retry shortly', { 'retry-after': '1' });
      }
      throw err;
    } finally {
      clearTimeout(timer);
      this.running.delete(busy);
      this.busyFinished += (performance.now() - busy.started) / 1000;
    }
  }

  /**
   * Worker seconds spent on tasks so far, the ones still running included up to now (queued time
   * counts from submission, so under overload this reads as full use, which it is).
   */
  busySeconds(): number {
    const now = performance.now();
    let total = this.busyFinished;
    for (const r of this.running) total += (now - r.started) / 1000;
    return total;
  }

  async destroy(): Promise<void> {
    await this.loaded.settle();
    await this.piscina.destroy();
  }
}
