/**
 * Piscina worker: runs queries against the native core. Maps are opened by path; the native side
 * keeps one mapping per file per process, so every worker thread shares the same pages. Answers
 * are serialised to JSON here, off the event loop.
 */
import * as turf from '@turf/turf';
import { WaymarkError } from '../errors.js';
import { openMapFile, parseMapRef, type OpenedMap } from '../maps/open.js';
import { native } from '../native/index.js';
import { matrixJsonOnMap, matrixOnMap, matrixPairsOnMap } from '../routing/matrix.js';
import { callNative, formatGeometry, flatCoordinates, routeOnMap, waypointOf, type LonLat } from '../routing/route.js';
import { move } from 'piscina';
import { BIG_ANSWER_BYTES, collectGarbage } from '../server/release-memory.js';
import { addGeometry } from '../vrp/geometry.js';
import { solveVroom } from '../vrp/solve.js';
import type { OsrmRouteOptions, QueryTask, TaskResult } from './tasks.js';

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
  const r = callNative(() =>
    native.route(map.handle, flatCoordinates(task.request.coordinates), {
      radius: task.request.radius ?? 1000,
      ...(task.request.radiuses ? { radiuses: Float64Array.from(task.request.radiuses, (x) => x ?? 1e7) } : {}),
      geometry: task.options.overview !== 'false',
    }),
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

export default function handle(task: QueryTask): TaskResult | ReturnType<typeof move> {
  try {
    const answer = run(task);
    let json: string | undefined = answer instanceof Json ? answer.text : JSON.stringify(answer);
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
  } catch (err) {
    if (err instanceof WaymarkError) return { ok: false, code: err.code, message: err.message };
    return { ok: false, code: 'InternalError', message: (err as Error).message };
  }
}
