/** What route plugins need from the server: config, the worker pool, maps by profile, readiness. */
import type { VrpJobs } from '../jobs/service.js';
import { native, type MapHandle, type MapHeader } from '../native/index.js';
import { resolveProfileName } from '../profiles/index.js';
import type { ServerConfig } from './config.js';
import { ApiError } from './errors.js';
import type { ServerMetrics } from './metrics.js';
import type { QueryPool } from './pool.js';
import { retireTraffic, type TrafficState } from './traffic.js';

export interface LoadedMapInfo {
  profile: string;
  path: string;
  header: MapHeader;
  loadedAt: string;
  /** "path#checksum": what tasks carry, so workers open exactly this version. */
  ref: string;
  /** The checksum, sent as X-Map-Version. */
  version: string;
  /** Keeps this version mapped while it serves (or is still in use after a swap). */
  handle: MapHandle;
  inflight: number;
  retired: boolean;
  /** The live-traffic metric serving instead of the map's own weights (src/server/traffic.ts). */
  traffic?: TrafficState;
}

export interface ReloadStatus {
  at: string;
  ok: boolean;
  path: string;
  version?: string;
  code?: string;
  message?: string;
}

export interface ServerContext {
  config: ServerConfig;
  pool: QueryPool;
  metrics: ServerMetrics;
  maps: Map<string, LoadedMapInfo>;
  ready: boolean;
  jobs?: VrpJobs;
  /** The last reload attempt per profile. */
  reloads: Map<string, ReloadStatus>;
}

/**
 * Runs fn with the current map of a profile, counted as in use until fn settles (a swapped-out
 * version is released only when nothing uses it), and tags the reply with X-Map-Version.
 */
export async function withMap<T>(
  ctx: ServerContext,
  profile: string | undefined,
  reply: { header(name: string, value: string): unknown },
  fn: (ref: string, map: LoadedMapInfo) => Promise<T> | T,
): Promise<T> {
  const map = requireMap(ctx, profile);
  // The traffic metric serving now: it stays installed until this request is done with it.
  const traffic = map.traffic;
  map.inflight++;
  if (traffic) traffic.inflight++;
  reply.header('x-map-version', traffic ? `${map.version}+t${traffic.version}` : map.version);
  try {
    return await fn(traffic ? traffic.ref : map.ref, map);
  } finally {
    if (traffic) {
      traffic.inflight--;
      if (traffic.retired && traffic.inflight === 0) retireTraffic(map, traffic);
    }
    map.inflight--;
    if (map.retired && map.inflight === 0) native.releaseMap(map.handle);
  }
}

/** The map serving a profile; unknown profiles are a clear 400, unloaded ones 503. */
export function requireMap(ctx: ServerContext, profile: string | undefined): LoadedMapInfo {
  const name = resolveProfileName(profile ?? 'car');
  const map = ctx.maps.get(name);
  if (!map) {
    if (name in ctx.config.maps) throw new ApiError(503, 'NotReady', `the ${name} map is not loaded yet`, { 'retry-after': '1' });
    throw new ApiError(400, 'InvalidValue', `unknown profile '${profile}' (served: ${Object.keys(ctx.config.maps).join(', ')})`);
  }
  return map;
}
