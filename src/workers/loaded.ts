/**
 * Which pool threads have finished loading the worker module. Terminating a worker thread while it
 * is still loading (Piscina requires the ES module synchronously, and the native addon loads with
 * it) can abort the whole process on Node 20; pools wait for their threads to load before they
 * destroy them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Piscina } from 'piscina';

/** The message a worker posts on its parent port once its module has loaded. */
export const WORKER_LOADED = 'waymarkWorkerLoaded';

export class LoadedWorkers {
  private readonly loaded = new Set<number>();

  constructor(private readonly piscina: Piscina) {
    piscina.on('message', (message: unknown) => {
      if (message !== null && typeof message === 'object' && WORKER_LOADED in message) {
        this.loaded.add(Number((message as Record<string, unknown>)[WORKER_LOADED]));
      }
    });
  }

  /** Resolves once every live thread has loaded, or after timeoutMs (a thread stuck loading is terminated anyway). */
  async settle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.piscina.threads.some((t) => !this.loaded.has(t.threadId)) && Date.now() < deadline) await sleep(10);
  }
}
