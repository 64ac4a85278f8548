/** Route queries on a loaded map, shaped for the CLI and the HTTP API. */
import polyline from '@mapbox/polyline';
import { WaymarkError } from '../errors.js';
import { isNativeError, native, type MapHandle, type NativeRoute, type NativeSnap } from '../native/index.js';

export type LonLat = [number, number];
export type GeometryFormat = 'geojson' | 'polyline' | 'polyline6' | false;

export interface RouteRequest {
  coordinates: LonLat[];
  geometry?: GeometryFormat;
  radius?: number;
  radiuses?: (number | null)[];
  /** Also snap onto roads outside the largest strongly connected component (OSRM's snapping=any). */
  allowIsolated?: boolean;
}

export interface RouteLeg {
  duration: number;
  distance: number;
  /** Streets along the leg, in order. */
  summary: string;
  names: string[];
}

export interface Waypoint {
  location: LonLat;
  /** Metres from the requested coordinate to the road. */
  distance: number;
  name: string;
}

export interface RouteResponse {
  duration: number;
  distance: number;
  geometry: GeoJsonLineString | string | null;
  legs: RouteLeg[];
  waypoints: Waypoint[];
}

export interface GeoJsonLineString {
  type: 'LineString';
  coordinates: LonLat[];
}

/** Runs a native call, turning its coded errors into WaymarkErrors. */
export function callNative<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isNativeError(err)) throw new WaymarkError(err.code, err.message);
    throw err;
  }
}

export function flatCoordinates(coords: readonly LonLat[]): Float64Array {
  const flat = new Float64Array(coords.length * 2);
  coords.forEach(([lon, lat], i) => {
    flat[2 * i] = lon;
    flat[2 * i + 1] = lat;
  });
  return flat;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function lineCoordinates(flat: Float64Array, begin = 0, end = flat.length / 2): LonLat[] {
  const out: LonLat[] = [];
  for (let i = begin; i < end; i++) out.push([round(flat[2 * i], 6), round(flat[2 * i + 1], 6)]);
  return out;
}

export function formatGeometry(flat: Float64Array, format: GeometryFormat): GeoJsonLineString | string | null {
  if (format === false) return null;
  const coords = lineCoordinates(flat);
  if (format === 'geojson') return { type: 'LineString', coordinates: coords };
  // The polyline format encodes lat, lon.
  return polyline.encode(
    coords.map(([lon, lat]) => [lat, lon]),
    format === 'polyline6' ? 6 : 5,
  );
}

export function waypointOf(s: NativeSnap): Waypoint {
  return { location: s.location, distance: round(s.distance, 2), name: s.name };
}

function radiusOptions(req: { radius?: number; radiuses?: (number | null)[] }) {
  const radius = req.radius ?? 1000;
  const radiuses = req.radiuses ? Float64Array.from(req.radiuses, (r) => (r == null ? radius : r)) : undefined;
  return radiuses ? { radius, radiuses } : { radius };
}

export function routeOnMap(map: MapHandle, req: RouteRequest): RouteResponse {
  const format = req.geometry ?? 'geojson';
  const r: NativeRoute = callNative(() =>
    native.route(map, flatCoordinates(req.coordinates), { ...radiusOptions(req), geometry: format !== false }),
  );
  return {
    duration: round(r.duration, 1),
    distance: round(r.distance, 1),
    geometry: formatGeometry(r.geometry, format),
    legs: r.legs.map((l) => ({ duration: round(l.duration, 1), distance: round(l.distance, 1), summary: l.names.slice(0, 2).join(', '), names: l.names })),
    waypoints: r.waypoints.map(waypointOf),
  };
}

/** Parses "lon,lat" (CLI and OSRM URL style). */
export function parseLonLat(text: string): LonLat {
  const parts = text.split(',');
  if (parts.length !== 2) throw new WaymarkError('InvalidValue', `expected lon,lat but got '${text}'`);
  const [lon, lat] = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) throw new WaymarkError('InvalidValue', `'${text}' is not a valid lon,lat coordinate`);
  return [lon, lat];
}
