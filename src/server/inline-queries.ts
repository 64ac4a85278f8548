/**
 * Tiny route queries answered on the main thread, without the hop to a worker thread. On a city
 * map the query is ~25 µs, and the hop costs more than that: a copy of the task and of the answer,
 * a futex wake-up of the worker and an event-loop wake-up of the main thread, and on a busy host a
 * wait for a core on each side (`waymark bench http-breakdown` measures it).
 *
 * Only work bounded by construction goes here, never real work:
 * - a route between exactly two points without geometry, steps, alternatives or annotations, so the
 *   answer has a fixed shape (one leg, two waypoints, the street names);
 * - on a map of at most `inlineMaxSegments` segments (default 250,000): a CH search settles each
 *   segment at most once per direction and the unpacked path has at most every segment, so even the
 *   worst case is bounded by the map's size; the typical case is a few hundred settled segments.
 * Everything else goes to the pool, and so does everything while tracing is on (a traced query's
 * phase spans come from the worker that runs it). Errors are the same WaymarkErrors a worker returns.
 */
import { osrmRouteOnMap, type OsrmRouteOptions } from '../routing/osrm-route.js';
import type { MetricRequest } from '../routing/metric.js';
import { routeOnMap, type RouteRequest } from '../routing/route.js';
import type { LoadedMapInfo, ServerContext } from './context.js';

/**
 * Whether a map is small enough for inline queries under this configuration. Live traffic and
 * per-request metrics (exclude, custom models) live in the workers, so those queries go there.
 */
export function inlineAllowed(ctx: ServerContext, map: LoadedMapInfo, metric?: MetricRequest): boolean {
  return !ctx.config.tracing && !map.traffic && !metric && map.header.counts.segments <= ctx.config.inlineMaxSegments;
}

/** A route request whose work and answer are tiny (see the module comment). */
export function tinyRoute(request: RouteRequest): boolean {
  return (
    request.coordinates.length === 2 &&
    request.geometry === false &&
    !request.steps &&
    !request.alternatives &&
    (request.annotations === undefined || request.annotations.length === 0)
  );
}

/** An OSRM route request whose work and answer are tiny. */
export function tinyOsrmRoute(request: RouteRequest, options: OsrmRouteOptions): boolean {
  return request.coordinates.length === 2 && options.overview === 'false' && !options.steps && !options.alternatives && options.annotations.length === 0;
}

function timed(ctx: ServerContext, kind: string, fn: () => unknown): string {
  const start = performance.now();
  try {
    return JSON.stringify(fn());
  } finally {
    ctx.metrics.inlineQueries.inc({ kind });
    ctx.metrics.inlineSeconds.inc({ kind }, (performance.now() - start) / 1000);
  }
}

/** POST /route: inline when tiny on this map, else through the pool. Resolves with the JSON answer. */
export function routeQuery(ctx: ServerContext, map: LoadedMapInfo, ref: string, request: RouteRequest, metric?: MetricRequest): Promise<string | Buffer> | string {
  if (tinyRoute(request) && inlineAllowed(ctx, map, metric)) return timed(ctx, 'route', () => routeOnMap(map.handle, request));
  return ctx.pool.run({ kind: 'route', map: ref, request, ...(metric ? { metric } : {}) });
}

/** GET /route/v1: inline when tiny on this map, else through the pool. */
export function osrmRouteQuery(
  ctx: ServerContext,
  map: LoadedMapInfo,
  ref: string,
  request: RouteRequest,
  options: OsrmRouteOptions,
  metric?: MetricRequest,
): Promise<string | Buffer> | string {
  if (tinyOsrmRoute(request, options) && inlineAllowed(ctx, map, metric)) return timed(ctx, 'osrm-route', () => osrmRouteOnMap(map.handle, request, options));
  return ctx.pool.run({ kind: 'osrm-route', map: ref, request, options, ...(metric ? { metric } : {}) });
}
