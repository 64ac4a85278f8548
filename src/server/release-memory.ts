/**
 * Giving memory back after a big answer. A matrix answer is one large string (tens of MB) in the
 * worker that wrote it and again in the main thread that sends it; V8 frees large strings only at a
 * full collection, which an idle server may not run for a long time, so the peak stays resident.
 * Workers hand big answers over as moved bytes and collect at once; the main thread runs one full
 * collection once such an answer has been sent (test/hardening.test.ts measures the RSS).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export const BIG_ANSWER_BYTES = 8 * 1024 * 1024;

let gc: (() => void) | undefined;
function collector(): () => void {
  if (!gc) {
    // The documented way to reach gc() without starting node with --expose-gc.
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  return gc;
}

/** One full, synchronous collection. */
export function collectGarbage(): void {
  collector()();
}

let pending: NodeJS.Timeout | undefined;

/** Schedules one full collection soon (coalesced), once the big answer has been handed on. */
export function releaseAfterBigAnswer(bytes: number): void {
  if (bytes < BIG_ANSWER_BYTES || pending) return;
  pending = setTimeout(() => {
    pending = undefined;
    collector()();
  }, 50);
  pending.unref();
}
