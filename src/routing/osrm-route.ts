/** OSRM route answers (GET /route/v1) from a native route: legs, overview geometry, waypoints. */
import * as turf from '@turf/turf';
import { native, type MapHandle, type NativeRoute } from '../native/index.js';
import { encodeHint, type AnnotationKind } from '../server/osrm-options.js';
import { observeNative } from '../telemetry/phases.js';
import { callNative, flatCoordinates, formatGeometry, radiusOptions, waypointOf, type RouteRequest } from './route.js';
import { annotationOf, osrmSteps, type DrivingSide } from './steps.js';

export interface OsrmRouteOptions {
  overview: 'full' | 'simplified' | 'false';
  geometries: 'polyline' | 'polyline6' | 'geojson';
  steps: boolean;
  annotations: AnnotationKind[];
  /** Coordinate indices that are waypoints; the others are via points inside a leg. Undefined = all. */
  waypoints?: number[];
  generateHints: boolean;
  skipWaypoints: boolean;
  /** Alternative routes wanted besides the best (two coordinates only). */
  alternatives?: number;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function overviewGeometry(flat: Float64Array, options: OsrmRouteOptions) {
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

interface OsrmLeg {
  steps: unknown[];
  summary: string;
  weight: number;
  duration: number;
  distance: number;
  annotation?: Record<string, unknown>;
}

/** Map header fields by handle: the header is a large object to build for two strings per request. */
const headers = new WeakMap<MapHandle, { checksum: string; drivingSide: DrivingSide }>();

function headerOf(map: MapHandle): { checksum: string; drivingSide: DrivingSide } {
  let header = headers.get(map);
  if (header === undefined) {
    const { checksum, drivingSide } = native.mapHeader(map);
    header = { checksum, drivingSide };
    headers.set(map, header);
  }
  return header;
}

export function osrmRouteOnMap(map: MapHandle, req: RouteRequest, options: OsrmRouteOptions) {
  const { checksum, drivingSide } = headerOf(map);
  // A hint made on another map version names roads of that version: it is dropped, the point re-snapped.
  const hints = req.hints?.some((h) => h?.checksum === checksum)
    ? Float64Array.from(req.hints.flatMap((h) => (h && h.checksum === checksum ? [h.edge, h.fraction] : [-1, 0])))
    : undefined;
  const points = req.coordinates.length;
  const r = callNative(() =>
    observeNative('ch.route', { 'waymark.waypoints': points }, points, (timings) => native.route(map, flatCoordinates(req.coordinates), {
      ...radiusOptions(req),
      allowIsolated: req.allowIsolated ?? false,
      ...(hints ? { hints } : {}),
      ...(req.bearings ? { bearings: req.bearings } : {}),
      ...(req.continueStraight ? { continueStraight: true } : {}),
      ...(req.approaches ? { approaches: req.approaches } : {}),
      geometry: options.overview !== 'false',
      steps: options.steps,
      ...(options.steps && options.waypoints ? { waypoints: Uint32Array.from(options.waypoints) } : {}),
      pieces: options.annotations.length > 0,
      ...(options.annotations.includes('nodes') ? { osmNodes: true } : {}),
      alternatives: options.alternatives ?? 0,
      ...(timings ? { timings } : {}),
    })),
  );
  const bounds = options.waypoints ?? req.coordinates.map((_, i) => i);
  const answer: Record<string, unknown> = { code: 'Ok', routes: [r, ...(r.alternatives ?? [])].map((x) => osrmRoute(x, bounds, options, drivingSide)) };
  if (!options.skipWaypoints) {
    answer.waypoints = bounds.map((i) => {
      const w = waypointOf(r.waypoints[i]);
      if (!options.generateHints) return { distance: w.distance, name: w.name, location: w.location };
      return { hint: encodeHint({ checksum, edge: r.waypoints[i].edge, fraction: r.waypoints[i].fraction }), distance: w.distance, name: w.name, location: w.location };
    });
  }
  return answer;
}

function osrmRoute(r: NativeRoute, bounds: number[], options: OsrmRouteOptions, drivingSide: DrivingSide): Record<string, unknown> {
  // Legs between consecutive waypoints; via points in between join their legs into one.
  const legs: OsrmLeg[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const parts = r.legs.slice(bounds[k], bounds[k + 1]);
    const names: string[] = [];
    for (const p of parts) for (const n of p.names) if (names[names.length - 1] !== n) names.push(n);
    const duration = parts.reduce((t, p) => t + p.duration, 0);
    const distance = parts.reduce((t, p) => t + p.distance, 0);
    const leg: OsrmLeg = { steps: [], summary: names.slice(0, 2).join(', '), weight: round1(duration), duration: round1(duration), distance: round1(distance) };
    if (options.steps && r.steps) leg.steps = osrmSteps(r.steps, k, r.geometry, options.geometries, drivingSide);
    if (options.annotations.length > 0) {
      const perPart = parts.map((p) => annotationOf(p.pieces ?? new Float64Array(0), r.geometry, options.annotations, p.osmNodes));
      leg.annotation = perPart.reduce((joined, a) => {
        for (const [k, v] of Object.entries(a)) {
          // Legs joined at a via point share its coordinate: its node once.
          const more = k === 'nodes' && (joined[k] as number[] | undefined)?.length ? (v as number[]).slice(1) : (v as number[]);
          joined[k] = k === 'metadata' ? v : [...((joined[k] as number[]) ?? []), ...more];
        }
        return joined;
      }, {} as Record<string, unknown>);
    }
    legs.push(leg);
  }
  const route: Record<string, unknown> = {
    legs,
    weight_name: 'duration',
    weight: round1(r.duration),
    duration: round1(r.duration),
    distance: round1(r.distance),
  };
  const geometry = overviewGeometry(r.geometry, options);
  if (geometry !== undefined) route.geometry = geometry;
  return route;
}
