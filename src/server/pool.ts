/**
 * The worker pool behind every query: bounded queue (503 + Retry-After when full, at once) and a
 * per-request timeout (504; the worker running the abandoned task is terminated and replaced, so
 * the work really stops).
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { currentTaskTrace } from '../telemetry/tracing.js';
import type { QueryTask, TaskResult, WorkerOptions } from '../workers/tasks.js';
import { ApiError, apiErrorOf } from './errors.js';

export class QueryPool {
  readonly piscina: Piscina;

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
  }

  /** Runs a task; resolves with the JSON text of the answer or throws an ApiError. */
  async run(task: QueryTask, timeoutMs = this.timeoutMs): Promise<string> {
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
    try {
      const result = (await this.piscina.run(task, { signal: controller.signal })) as TaskResult;
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
    }
  }

  async destroy(): Promise<void> {
    await this.piscina.destroy();
  }
}
