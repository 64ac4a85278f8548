/** OSRM route answers (GET /route/v1) from a native route: legs, overview geometry, waypoints. */
import * as turf from '@turf/turf';
import { native, type MapHandle } from '../native/index.js';
import type { AnnotationKind } from '../server/osrm-options.js';
import { callNative, flatCoordinates, formatGeometry, waypointOf, type RouteRequest } from './route.js';

export interface OsrmRouteOptions {
  overview: 'full' | 'simplified' | 'false';
  geometries: 'polyline' | 'polyline6' | 'geojson';
  steps: boolean;
  annotations: AnnotationKind[];
  /** Coordinate indices that are waypoints; the others are via points inside a leg. Undefined = all. */
  waypoints?: number[];
  generateHints: boolean;
  skipWaypoints: boolean;
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

export function osrmRouteOnMap(map: MapHandle, req: RouteRequest, options: OsrmRouteOptions) {
  const r = callNative(() =>
    native.route(map, flatCoordinates(req.coordinates), {
      radius: req.radius ?? 1000,
      ...(req.radiuses ? { radiuses: Float64Array.from(req.radiuses, (x) => x ?? 1e7) } : {}),
      allowIsolated: req.allowIsolated ?? false,
      geometry: options.overview !== 'false',
    }),
  );
  // Legs between consecutive waypoints; via points in between join their legs into one.
  const bounds = options.waypoints ?? req.coordinates.map((_, i) => i);
  const legs: OsrmLeg[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const parts = r.legs.slice(bounds[k], bounds[k + 1]);
    const names: string[] = [];
    for (const p of parts) for (const n of p.names) if (names[names.length - 1] !== n) names.push(n);
    const duration = parts.reduce((t, p) => t + p.duration, 0);
    const distance = parts.reduce((t, p) => t + p.distance, 0);
    legs.push({ steps: [], summary: names.slice(0, 2).join(', '), weight: round1(duration), duration: round1(duration), distance: round1(distance) });
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
  const answer: Record<string, unknown> = { code: 'Ok', routes: [route] };
  if (!options.skipWaypoints) {
    answer.waypoints = bounds.map((i) => {
      const w = waypointOf(r.waypoints[i]);
      return options.generateHints ? { hint: '', distance: w.distance, name: w.name, location: w.location } : { distance: w.distance, name: w.name, location: w.location };
    });
  }
  return answer;
}
