/**
 * Piscina worker: runs queries against the native core. Maps are opened by path; the native side
 * keeps one mapping per file per process, so every worker thread shares the same pages. Answers
 * are serialised to JSON here, off the event loop.
 */
import { workerData } from 'node:worker_threads';
import * as turf from '@turf/turf';
import { WaymarkError } from '../errors.js';
import { openMapFile, parseMapRef, type OpenedMap } from '../maps/open.js';
import { native } from '../native/index.js';
import { isochroneOnMap } from '../routing/isochrone.js';
import { reachOnMap } from '../routing/reach.js';
import { zoneEtaOnMap, zoneMatrixOnMap } from '../zones/zones.js';
import { matrixJsonOnMap, matrixOnMap, matrixPairsOnMap } from '../routing/matrix.js';
import { callNative, formatGeometry, flatCoordinates, radiusOptions, routeOnMap, waypointOf, type LonLat } from '../routing/route.js';
import { matchOnMap } from '../routing/match.js';
import { tripOnMap } from '../routing/trip.js';
import { move } from 'piscina';
import { BIG_ANSWER_BYTES, collectGarbage } from '../server/release-memory.js';
import { addGeometry } from '../vrp/geometry.js';
import { solveVroom } from '../vrp/solve.js';
import { observeNative, observePhase } from '../telemetry/phases.js';
import { listenForProfileRequests } from '../telemetry/profiling.js';
import { startTracing } from '../telemetry/tracing.js';
import { enableWorkerTracing, runTraced } from '../telemetry/worker-tracing.js';
import type { OsrmRouteOptions, QueryTask, TaskResult, WorkerOptions } from './tasks.js';

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
  const cached = maps.get(path);
  if (cached?.ref === ref) return cached.map;
  const map = checksum ? openMapFile(path, checksum) : openMapFile(path);
  if (cached) native.releaseMap(cached.map.handle);
  maps.set(path, { ref, map });
  return map;
}

function osrmWaypoint(w: { location: LonLat; distance: number; name: string }) {
  return { hint: '', distance: w.distance, name: w.name, location: w.location };
}

function osrmGeometry(flat: Float64Array, options: OsrmRouteOptions) {
  if (options.overview === 'false') return undefined;
  let coords = flat;
  if (options.overview === 'simplified' && flat.length >= 6) {
    // OSRM simplifies the overview; Douglas-Peucker with ~1 m tolerance keeps the shape.
    const line = turf.lineString(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]]));
    const simple = turf.simplify(line, { tolerance: 0.00001, highQuality: false });
    coords = Float64Array.from(simple.geometry.coordinates.flat());
  }
  return formatGeometry(coords, options.geometries);
}

function osrmRoute(map: OpenedMap, task: Extract<QueryTask, { kind: 'osrm-route' }>) {
  const points = task.request.coordinates.length;
  const r = callNative(() =>
    observeNative('ch.route', { 'waymark.waypoints': points }, points, (timings) =>
      native.route(map.handle, flatCoordinates(task.request.coordinates), {
        ...radiusOptions(task.request),
        geometry: task.options.overview !== 'false',
        ...(timings ? { timings } : {}),
      }),
    ),
  );
  const round1 = (x: number) => Math.round(x * 10) / 10;
  const legs = r.legs.map((l) => ({
    steps: [] as unknown[],
    summary: l.names.slice(0, 2).join(', '),
    weight: round1(l.duration),
    duration: round1(l.duration),
    distance: round1(l.distance),
  }));
  const route: Record<string, unknown> = {
    legs,
    weight_name: 'duration',
    weight: round1(r.duration),
    duration: round1(r.duration),
    distance: round1(r.distance),
  };
  const geometry = osrmGeometry(r.geometry, task.options);
  if (geometry !== undefined) route.geometry = geometry;
  return { code: 'Ok', routes: [route], waypoints: r.waypoints.map((w) => osrmWaypoint(waypointOf(w))) };
}

/** Big answers are written as JSON text directly; the rest goes through JSON.stringify. */
class Json {
  constructor(readonly text: string) {}
}

function run(task: QueryTask): unknown {
  if (task.kind === 'vrp') {
    // The solver runs here, off the event loop; matrices come from the maps when not given.
    const maps = Object.fromEntries(Object.entries(task.maps).map(([profile, path]) => [profile, mapFor(path).handle]));
    const { solution, model } = solveVroom(task.problem, { ...task.options, maps });
    if (task.options.geometry) addGeometry(solution, model, maps);
    return solution;
  }
  const map = mapFor(task.map);
  switch (task.kind) {
    case 'route':
      return routeOnMap(map.handle, task.request);
    case 'osrm-route':
      return osrmRoute(map, task);
    case 'matrix':
      return new Json(matrixJsonOnMap(map.handle, task.request));
    case 'osrm-table':
      return new Json(matrixJsonOnMap(map.handle, task.request, { code: 'Ok' }, osrmWaypoint));
    case 'pairs':
      return matrixPairsOnMap(map.handle, task.request);
    case 'nearest': {
      const [s] = callNative(() => native.snap(map.handle, flatCoordinates([task.coordinate]), { radius: task.radius }));
      const w = waypointOf(s);
      if (!task.osrm) return { waypoints: [w] };
      const from = native.mapSection(map.handle, 'edge_from', 'u32')[s.edge];
      const to = native.mapSection(map.handle, 'edge_to', 'u32')[s.edge];
      return { code: 'Ok', waypoints: [{ nodes: [from, to], ...osrmWaypoint(w) }] };
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
      return { ok: true, duration: route.duration };
    }
  }
}

function answer(task: QueryTask): TaskResult | ReturnType<typeof move> {
  const result = run(task);
  let json: string | undefined =
    result instanceof Json ? result.text : observePhase('serialize', () => JSON.stringify(result), (text) => ({ 'waymark.bytes': text.length }));
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
