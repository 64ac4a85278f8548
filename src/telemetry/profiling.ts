/**
 * CPU and heap profiles on demand, through node:inspector sessions opened inside the thread being
 * profiled. Worker threads take part through a BroadcastChannel: the main thread asks every
 * worker (query and solver pools) to start, waits, asks them to stop, and collects what they send.
 */
import { randomUUID } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { BroadcastChannel, threadId } from 'node:worker_threads';

const CHANNEL = 'waymark-profile';

export type CpuProfile = { nodes: { callFrame: { functionName: string; url: string } }[]; startTime: number; endTime: number; samples?: number[]; timeDeltas?: number[] };

/** Samples this thread's CPU for `seconds` (V8's .cpuprofile format). */
export async function cpuProfile(seconds: number): Promise<CpuProfile> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    await sleep(seconds * 1000);
    const { profile } = await session.post('Profiler.stop');
    return profile as unknown as CpuProfile;
  } finally {
    session.disconnect();
  }
}

/** A sampling heap profile of this thread over `seconds` (.heapprofile). */
export async function heapSamplingProfile(seconds: number): Promise<unknown> {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', { samplingInterval: 32 * 1024 });
    await sleep(seconds * 1000);
    const { profile } = await session.post('HeapProfiler.stopSampling');
    return profile;
  } finally {
    session.disconnect();
  }
}

type Command = { id: string; type: 'start' | 'stop' };
type Answer = { id: string; type: 'started' | 'profile' | 'failed'; threadId: number; profile?: CpuProfile; message?: string };

/** In a worker thread: answer profile requests from the main thread. */
export function listenForProfileRequests(): void {
  const channel = new BroadcastChannel(CHANNEL);
  channel.unref();
  const sessions = new Map<string, { session: Session; started: Promise<unknown> }>();
  channel.onmessage = (event) => {
    const m = (event as { data?: unknown }).data as Command;
    if (m?.type === 'start' && !sessions.has(m.id)) {
      const session = new Session();
      session.connect();
      const started = session
        .post('Profiler.enable')
        .then(() => session.post('Profiler.start'))
        .then(
          () => channel.postMessage({ id: m.id, type: 'started', threadId } satisfies Answer),
          (err: Error) => channel.postMessage({ id: m.id, type: 'failed', threadId, message: err.message } satisfies Answer),
        );
      sessions.set(m.id, { session, started });
    } else if (m?.type === 'stop') {
      const entry = sessions.get(m.id);
      if (!entry) return;
      sessions.delete(m.id);
      const { session, started } = entry;
      // A worker whose event loop was busy sees start and stop together: stop only once started.
      started
        .then(() => session.post('Profiler.stop'))
        .then(
          ({ profile }) => channel.postMessage({ id: m.id, type: 'profile', threadId, profile: profile as unknown as CpuProfile } satisfies Answer),
          (err: Error) => channel.postMessage({ id: m.id, type: 'failed', threadId, message: err.message } satisfies Answer),
        )
        .finally(() => session.disconnect());
    }
  };
}

/**
 * CPU profiles of the main thread and every worker thread over the same `seconds`. A worker busy
 * with one long native call starts late (its event loop is blocked); one that has not answered
 * within `graceMs` after the stop is reported as missing.
 */
export async function cpuProfileAllThreads(
  seconds: number,
  graceMs = 30_000,
  expectedWorkers = 0,
): Promise<{ main: CpuProfile; workers: { threadId: number; profile: CpuProfile }[]; missing: number[] }> {
  const id = randomUUID();
  const channel = new BroadcastChannel(CHANNEL);
  const started = new Set<number>();
  const profiles = new Map<number, CpuProfile>();
  let settle: () => void = () => {};
  const allIn = new Promise<void>((resolve) => (settle = resolve));
  let stopped = false;
  channel.onmessage = (event) => {
    const m = (event as { data?: unknown }).data as Answer;
    if (m?.id !== id) return;
    if (m.type === 'started') started.add(m.threadId);
    else {
      if (m.type === 'profile' && m.profile) profiles.set(m.threadId, m.profile);
      else started.delete(m.threadId);
    }
    if (stopped && complete()) settle();
  };
  // Every thread that started has answered, and at least the workers we know of (a busy worker may
  // answer "started" only after the stop was sent).
  const complete = () => [...started].every((t) => profiles.has(t)) && profiles.size >= expectedWorkers;
  // A worker still starting up (loading its modules on a busy machine) has no channel yet and
  // misses a single broadcast: repeat the start until every expected worker has answered. Workers
  // ignore a start they already have.
  const start = () => channel.postMessage({ id, type: 'start' } satisfies Command);
  const restart = setInterval(() => {
    if (started.size < expectedWorkers) start();
  }, 100);
  try {
    start();
    const main = await cpuProfile(seconds).finally(() => clearInterval(restart));
    stopped = true;
    channel.postMessage({ id, type: 'stop' } satisfies Command);
    if (complete()) settle();
    await Promise.race([allIn, sleep(graceMs)]);
    return {
      main,
      workers: [...profiles.entries()].sort(([a], [b]) => a - b).map(([threadId, profile]) => ({ threadId, profile })),
      missing: [...started].filter((t) => !profiles.has(t)),
    };
  } finally {
    channel.close();
  }
}
