/**
 * Live traffic on a serving map: a CSV stream (OSRM's segment speeds, then optionally `# turns` and
 * turn penalties) is read chunk by chunk into a native traffic update, customized beside the serving
 * metric on a background thread, self-tested through the worker threads (routes against plain
 * Dijkstra on the new weights) and swapped in atomically: requests in flight finish on the metric
 * they started on (it stays installed until they do), new ones use the new one. A refused file or a
 * failed self-test leaves the old metric serving.
 *
 * A metric file (`waymark traffic ... -o file.wmetric`) is installed the same way, without reading a
 * CSV or customizing: it is read, validated against the map (MetricMismatch when written for
 * another one, MetricCorrupt when damaged) and self-tested (loadTrafficFile).
 */
import { WaymarkError } from '../errors.js';
import { isNativeError, native, type MapHandle, type TrafficStats } from '../native/index.js';
import { trafficKey } from '../routing/traffic.js';
import type { LoadedMapInfo, ServerContext } from './context.js';

export interface TrafficState {
  version: number;
  key: string;
  /** What tasks carry: "path#checksum@t<version>". */
  ref: string;
  installedAt: number;
  stats: TrafficStats;
  customizeMs: number;
  selfTestMs: number;
  metric: MapHandle;
  inflight: number;
  retired: boolean;
  /** Installed from a metric file rather than a CSV. */
  file?: MetricFileSource;
}

export interface MetricFileSource {
  path: string;
  bytes: number;
  /** Reading and validating the file (what replaced customizeMs). */
  loadMs: number;
  /** The traffic version and time the file was written with. */
  trafficVersion: number;
  createdAt: string;
}

export interface TrafficResult {
  version: number;
  mapVersion: string;
  stats: TrafficStats;
  /** Share of the map's drivable directed OSM segments given a speed. */
  coverage: number;
  readMs: number;
  customizeMs: number;
  selfTestMs: number;
  totalMs: number;
  file?: MetricFileSource;
}

/** Installed traffic versions count up per process (a map reload starts over from its own weights). */
let nextVersion = 1;
const busy = new Map<string, Promise<unknown>>();

export function coverageOf(stats: TrafficStats): number {
  return stats.osmSegments > 0 ? stats.osmSegmentsSet / stats.osmSegments : 0;
}

/** Drops a traffic metric once nothing uses it any more. */
export function retireTraffic(map: LoadedMapInfo, t: TrafficState | undefined): void {
  if (!t) return;
  t.retired = true;
  if (t.inflight === 0) {
    native.metricUnpin(map.handle, t.key);
    native.releaseMap(t.metric);
  }
}

function nativeCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isNativeError(err)) throw new WaymarkError(err.code, err.message);
    throw err;
  }
}

/** Runs the traffic updates of a profile one after another. */
async function oneAtATime<T>(profile: string, fn: () => Promise<T>): Promise<T> {
  const previous = busy.get(profile) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(fn);
  busy.set(profile, run);
  try {
    return await run;
  } finally {
    if (busy.get(profile) === run) busy.delete(profile);
  }
}

/** Reads, customizes, self-tests and installs one traffic update. */
export function applyTraffic(ctx: ServerContext, map: LoadedMapInfo, stream: AsyncIterable<Uint8Array | string>): Promise<TrafficResult> {
  return oneAtATime(map.profile, () => applyNow(ctx, map, stream));
}

async function applyNow(ctx: ServerContext, map: LoadedMapInfo, stream: AsyncIterable<Uint8Array | string>): Promise<TrafficResult> {
  const t0 = performance.now();
  const update = nativeCall(() => native.trafficCreate(map.handle));
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    nativeCall(() => native.trafficPush(update, bytes));
  }
  const t1 = performance.now();
  const version = nextVersion++;
  const finished = await native.trafficFinish(update, version).catch((err: unknown) => {
    throw isNativeError(err) ? new WaymarkError(err.code, err.message) : err;
  });
  return install(ctx, map, version, finished, t0, t1 - t0);
}

/** Loads, validates, self-tests and installs a metric file (one after another with the CSV updates of its profile). */
export function loadTrafficFile(ctx: ServerContext, map: LoadedMapInfo, path: string): Promise<TrafficResult> {
  return oneAtATime(map.profile, async () => {
    const t0 = performance.now();
    const version = nextVersion++;
    const loaded = await native.metricLoad(map.handle, path, version).catch((err: unknown) => {
      throw isNativeError(err) ? new WaymarkError(err.code, err.message) : err;
    });
    const file: MetricFileSource = {
      path,
      bytes: loaded.bytes,
      loadMs: loaded.loadMs,
      trafficVersion: loaded.trafficVersion,
      createdAt: new Date(loaded.createdAtMs).toISOString(),
    };
    return install(ctx, map, version, { ...loaded, file }, t0, 0);
  });
}

/** Self-tests a metric installed natively as traffic:<version> and swaps it in. */
async function install(
  ctx: ServerContext,
  map: LoadedMapInfo,
  version: number,
  finished: { metric: MapHandle; stats: TrafficStats; customizeMs: number; file?: MetricFileSource },
  t0: number,
  readMs: number,
): Promise<TrafficResult> {
  const key = trafficKey(version);
  const state: TrafficState = {
    version,
    key,
    ref: `${map.ref}@t${version}`,
    installedAt: Date.now(),
    stats: finished.stats,
    customizeMs: finished.customizeMs,
    selfTestMs: 0,
    metric: finished.metric,
    inflight: 0,
    retired: false,
    ...(finished.file ? { file: finished.file } : {}),
  };
  const t2 = performance.now();
  try {
    await ctx.pool.run({ kind: 'selftest', map: state.ref, oracle: true }, Math.max(ctx.config.requestTimeoutMs, 60_000));
  } catch (err) {
    native.metricUnpin(map.handle, key);
    native.releaseMap(finished.metric);
    const e = err as { code?: string; message?: string };
    throw new WaymarkError('SelfTestFailed', `the traffic metric failed its self-test (${e.code ?? 'Error'}: ${e.message ?? err}); the previous metric keeps serving`);
  }
  state.selfTestMs = performance.now() - t2;
  if (map.retired) {
    // The map was reloaded meanwhile: this traffic belonged to the old one.
    retireTraffic(map, state);
    throw new WaymarkError('MapChanged', 'the map was reloaded during the traffic update; post it again');
  }
  const old = map.traffic;
  map.traffic = state;
  retireTraffic(map, old);
  ctx.metrics.trafficUpdates.inc({ profile: map.profile, result: 'ok' });
  return {
    version,
    mapVersion: `${map.version}+t${version}`,
    stats: state.stats,
    coverage: coverageOf(state.stats),
    readMs,
    customizeMs: state.customizeMs,
    selfTestMs: state.selfTestMs,
    totalMs: performance.now() - t0,
    ...(state.file ? { file: state.file } : {}),
  };
}

/** Back to the map's own weights. */
export function clearTraffic(map: LoadedMapInfo): boolean {
  const old = map.traffic;
  map.traffic = undefined;
  retireTraffic(map, old);
  return old !== undefined;
}

/** What /info shows of a map's traffic. */
export function trafficInfo(map: LoadedMapInfo): Record<string, unknown> | null {
  const t = map.traffic;
  if (!t) return null;
  return {
    version: t.version,
    installedAt: new Date(t.installedAt).toISOString(),
    ageSeconds: (Date.now() - t.installedAt) / 1000,
    coverage: coverageOf(t.stats),
    customizeMs: t.customizeMs,
    selfTestMs: t.selfTestMs,
    stats: t.stats,
    ...(t.file ? { file: t.file } : {}),
  };
}
