/** What route plugins need from the server: config, the worker pool, maps by profile, readiness. */
import type { VrpJobs } from '../jobs/service.js';
import type { MapHeader } from '../native/index.js';
import { resolveProfileName } from '../profiles/index.js';
import type { ServerConfig } from './config.js';
import { ApiError } from './errors.js';
import type { ServerMetrics } from './metrics.js';
import type { QueryPool } from './pool.js';

export interface LoadedMapInfo {
  profile: string;
  path: string;
  header: MapHeader;
  loadedAt: string;
}

export interface ServerContext {
  config: ServerConfig;
  pool: QueryPool;
  metrics: ServerMetrics;
  maps: Map<string, LoadedMapInfo>;
  ready: boolean;
  jobs?: VrpJobs;
}

/** The map file serving a profile; unknown profiles are a clear 400, unloaded ones 503. */
export function mapPathFor(ctx: ServerContext, profile: string | undefined): string {
  const name = resolveProfileName(profile ?? 'car');
  const map = ctx.maps.get(name);
  if (!map) {
    if (name in ctx.config.maps) throw new ApiError(503, 'NotReady', `the ${name} map is not loaded yet`, { 'retry-after': '1' });
    throw new ApiError(400, 'InvalidValue', `unknown profile '${profile}' (served: ${Object.keys(ctx.config.maps).join(', ')})`);
  }
  return map.path;
}
