/**
 * Piscina worker: runs queries against the native core. Maps are opened by path; the native side
 * keeps one mapping per file per process, so every worker thread shares the same pages. Answers
 * are serialised to JSON here, off the event loop.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { WaymarkError } from '../errors.js';
import { openMapFile, parseMapRef, type OpenedMap } from '../maps/open.js';
import { native, type MapHandle } from '../native/index.js';
import { metricHandle, type MetricRequest } from '../routing/metric.js';
import { trafficKey } from '../routing/traffic.js';
import { splitVehicleMetrics } from '../vrp/metrics.js';
import { encodeHint, type Hint } from '../server/osrm-options.js';
import { isochroneOnMap } from '../routing/isochrone.js';
import { reachOnMap } from '../routing/reach.js';
import { zoneEtaOnMap, zoneMatrixOnMap } from '../zones/zones.js';
import { matrixJsonOnMap, matrixOnMap, matrixPairsOnMap } from '../routing/matrix.js';
import { osrmRouteOnMap } from '../routing/osrm-route.js';
import { callNative, flatCoordinates, routeOnMap, waypointOf, type LonLat } from '../routing/route.js';
import { matchOnMap } from '../routing/match.js';
import { tripOnMap } from '../routing/trip.js';
import { move } from 'piscina';
import { BIG_ANSWER_BYTES, collectGarbage } from '../server/release-memory.js';
import { addGeometry } from '../vrp/geometry.js';
import { solveVroom } from '../vrp/solve.js';
import { observePhase } from '../telemetry/phases.js';
import { listenForProfileRequests } from '../telemetry/profiling.js';
import { startTracing } from '../telemetry/tracing.js';
import { enableWorkerTracing, runTraced } from '../telemetry/worker-tracing.js';
import { WORKER_LOADED } from './loaded.js';
import type { QueryTask, TaskResult, WorkerOptions } from './tasks.js';

const options = (workerData ?? {}) as Partial<WorkerOptions>;
if (options.tracing) {
  // This thread exports its own spans (same OTEL_* configuration as the main thread).
  await startTracing();
  enableWorkerTracing();
}
if (options.profiling) listenForProfileRequests();

/** Open map versions by reference ("path#checksum"); one per path: a newer version replaces (and releases) the older. */
const maps = new Map<string, { ref: string; map: OpenedMap }>();

function mapFor(ref: string): OpenedMap {
  const { path, checksum } = parseMapRef(ref);
  const version = `${path}#${checksum}`;
  const cached = maps.get(path);
  if (cached?.ref === version) return cached.map;
  const map = checksum ? openMapFile(path, checksum) : openMapFile(path);
  if (cached) native.releaseMap(cached.map.handle);
  maps.set(path, { ref: version, map });
  return map;
}

/**
 * The handle a task queries: its map version, on the live-traffic metric its reference names (the
 * server keeps that metric installed while tasks use it), plus the task's own exclusions / custom model.
 */
function handleFor(ref: string, metric?: MetricRequest): MapHandle {
  const base = mapFor(ref).handle;
  const { traffic } = parseMapRef(ref);
  let handle = base;
  if (traffic !== undefined) {
    // The server keeps a named version installed while tasks use it; should it be gone all the
    // same, the newest installed one (or the map's own weights) serves.
    handle = native.metricOf(base, trafficKey(traffic)) ?? native.metricOf(base, trafficKey('latest')) ?? base;
  }
  return metricHandle(handle, metric);
}

/** An OSRM waypoint; its hint (when generated) names the snap on this map version, to be given back. */
function osrmWaypoint(w: { location: LonLat; distance: number; name: string }, generateHints = true, snap?: { edge?: number; fraction?: number }, checksum?: string) {
  if (!generateHints) return { distance: w.distance, name: w.name, location: w.location };
  const hint = snap?.edge !== undefined && snap.fraction !== undefined && checksum ? encodeHint({ checksum, edge: snap.edge, fraction: snap.fraction }) : '';
  return { hint, distance: w.distance, name: w.name, location: w.location };
}

/** Nearest's hint (when of this map version: another version's is dropped), bearing and approach. */
function nearestWishes(map: MapHandle, task: { hint?: Hint | null; bearing?: [number, number]; approach?: number }) {
  const out: { hints?: Float64Array; bearings?: Float64Array; approaches?: Float64Array } = {};
  if (task.hint && task.hint.checksum === native.mapHeader(map).checksum) out.hints = Float64Array.of(task.hint.edge, task.hint.fraction);
  if (task.bearing) out.bearings = Float64Array.of(task.bearing[0], task.bearing[1]);
  if (task.approach) out.approaches = Float64Array.of(task.approach);
  return out;
}

/** Big answers are written as JSON text directly; the rest goes through JSON.stringify. */
class Json {
  constructor(readonly text: string) {}
}

function run(task: QueryTask): unknown {
  if (task.kind === 'vrp') {
    // The solver runs here, off the event loop; matrices come from the maps when not given.
    // Vehicles with exclude / custom_model have profiles of their own, on their metric of the map.
    const split = splitVehicleMetrics(task.problem as Record<string, unknown>);
    const maps: Record<string, MapHandle> = Object.fromEntries(Object.entries(task.maps).map(([profile, ref]) => [profile, handleFor(ref)]));
    for (const [profile, { base, metric }] of Object.entries(split.profiles)) {
      if (!task.maps[base]) throw new WaymarkError('InvalidValue', `no map is loaded for profile '${base}'`);
      maps[profile] = handleFor(task.maps[base], metric);
    }
    const { solution, model } = solveVroom(split.problem, { ...task.options, maps });
    if (task.options.geometry) addGeometry(solution, model, maps, task.maxBytes);
    return solution;
  }
  const map = { handle: handleFor(task.map, task.metric) };
  switch (task.kind) {
    case 'route':
      return routeOnMap(map.handle, task.request);
    case 'osrm-route':
      return osrmRouteOnMap(map.handle, task.request, task.options);
    case 'matrix':
      return new Json(matrixJsonOnMap(map.handle, task.request));
    case 'osrm-table':
    {
      const checksum = native.mapHeader(map.handle).checksum;
      return new Json(matrixJsonOnMap(map.handle, task.request, { code: 'Ok' }, (p, snap) => osrmWaypoint(p, task.generateHints, snap, checksum), !task.skipWaypoints));
    }
    case 'pairs':
      return matrixPairsOnMap(map.handle, task.request);
    case 'nearest': {
      const snaps = callNative(() =>
        native.snapNearest(map.handle, flatCoordinates([task.coordinate]), {
          radius: task.radius,
          allowIsolated: task.allowIsolated ?? false,
          number: task.number ?? 1,
          ...nearestWishes(map.handle, task),
        }),
      );
      const checksum = native.mapHeader(map.handle).checksum;
      if (!task.osrm) return { waypoints: [waypointOf(snaps[0])] };
      return { code: 'Ok', waypoints: snaps.map((s) => ({ nodes: s.nodes, ...osrmWaypoint(waypointOf(s), task.generateHints ?? true, s, checksum) })) };
    }
    case 'isochrone':
      return isochroneOnMap(map.handle, task.request);
    case 'reach':
      return reachOnMap(map.handle, task.request);
    case 'zones-matrix':
      return zoneMatrixOnMap(map.handle, task.area, task.options);
    case 'zones-eta':
      return zoneEtaOnMap(map.handle, task.area, task.location, task.options);
    case 'osrm-match':
      return matchOnMap(map.handle, task.request);
    case 'osrm-trip':
      return tripOnMap(map.handle, task.request);
    case 'selftest': {
      // Two real road points, routed and tabled: proves the map answers queries.
      const pts = native.randomRoadPoints(map.handle, 2, 1);
      const coords: LonLat[] = [
        [pts[0], pts[1]],
        [pts[2], pts[3]],
      ];
      const route = routeOnMap(map.handle, { coordinates: coords, geometry: false });
      const table = matrixOnMap(map.handle, { sources: coords });
      if (!(route.duration >= 0) || table.durations?.[0]?.[0] !== 0) throw new WaymarkError('SelfTestFailed', 'self-test query gave an implausible answer');
      if (task.oracle) {
        // A new metric: a few routes must equal plain Dijkstra on its weights.
        const more = native.randomRoadPoints(map.handle, 8, Date.now() % 1000);
        for (let i = 0; i < more.length; i += 4) {
          const pair = more.slice(i, i + 4);
          let fast: number | string, slow: number | string;
          try { fast = native.route(map.handle, pair, { geometry: false }).weight; } catch (e) { fast = (e as { code?: string }).code ?? 'Error'; }
          try { slow = native.referenceRoute(map.handle, pair).duration; } catch (e) { slow = (e as { code?: string }).code ?? 'Error'; }
          const agree = typeof fast === 'number' && typeof slow === 'number' ? Math.abs(fast - slow) < 0.002 : fast === slow;
          if (!agree) throw new WaymarkError('SelfTestFailed', `route ${i / 4} gave ${fast}, plain Dijkstra ${slow}`);
        }
      }
      return { ok: true, duration: route.duration };
    }
  }
}

function answer(task: QueryTask): TaskResult | ReturnType<typeof move> {
  const result = run(task);
  let json: string | undefined =
    result instanceof Json ? result.text : observePhase('serialize', () => JSON.stringify(result), (text) => ({ 'waymark.bytes': text.length }));
  // The estimates refuse what cannot fit before it is computed; this catches what they could not know.
  if (task.maxBytes !== undefined && json.length > task.maxBytes) {
    throw new WaymarkError('TooBig', `the answer is ${json.length} bytes of JSON, over the limit of ${task.maxBytes}`);
  }
  if (json.length >= BIG_ANSWER_BYTES && task.kind !== 'vrp') {
    // Big answers leave as bytes moved to the main thread (no copy there), and the string is
    // collected here at once: an idle Piscina worker blocks in Atomics.wait and would never get
    // round to it, keeping the peak resident.
    const bytes = Buffer.from(json);
    json = undefined;
    collectGarbage();
    return move(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
  return { ok: true, json };
}

export default function handle(task: QueryTask): TaskResult | ReturnType<typeof move> {
  try {
    return runTraced(task, () => answer(task));
  } catch (err) {
    if (err instanceof WaymarkError) return { ok: false, code: err.code, message: err.message };
    return { ok: false, code: 'InternalError', message: (err as Error).message };
  }
}

// Loaded: the pool may now terminate this thread safely (see loaded.ts).
parentPort?.postMessage({ [WORKER_LOADED]: threadId });
