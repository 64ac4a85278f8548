/** Route queries on a loaded map, shaped for the CLI and the HTTP API. */
import { createRequire } from 'node:module';
import { WaymarkError } from '../errors.js';
import { isNativeError, native, type MapHandle, type NativeRoute, type NativeSnap } from '../native/index.js';
import { observeNative } from '../telemetry/phases.js';
import { formatGeometry } from './geometry.js';
import { annotationOf, osrmSteps } from './steps.js';

export { formatGeometry, lineCoordinates } from './geometry.js';

const require = createRequire(import.meta.url);
/** The package OSRM clients use to speak steps; it gives our own steps their English instruction. */
const textInstructions = require('osrm-text-instructions')('v5') as { compile(language: string, step: unknown): string };

export type LonLat = [number, number];
export type GeometryFormat = 'geojson' | 'polyline' | 'polyline6' | false;

export interface RouteRequest {
  coordinates: LonLat[];
  geometry?: GeometryFormat;
  /** Metres; default: unlimited (Infinity), as OSRM. */
  radius?: number;
  radiuses?: (number | null)[];
  /** Also snap onto roads outside the largest strongly connected component (OSRM's snapping=any). */
  allowIsolated?: boolean;
  /** Per coordinate: a previous snap to reuse (OSRM hints), or null. Hints of another map version are ignored. */
  hints?: ({ checksum: string; edge: number; fraction: number } | null)[];
  /** Per coordinate value, range (range -1 = none): the direction of travel wanted there. */
  bearings?: Float64Array;
  /** Per coordinate: 0 unrestricted, 1 curb, 2 opposite. */
  approaches?: Float64Array;
  /** Leave each via point in the direction the route arrived (no turning around there). */
  continueStraight?: boolean;
  /** Turn-by-turn steps per leg. */
  steps?: boolean;
  /** Alternative routes wanted besides the best (two coordinates only). */
  alternatives?: number;
  /** Per coordinate pair of each leg's geometry. */
  annotations?: ('duration' | 'distance' | 'speed' | 'nodes')[];
}

/** One turn-by-turn step of our own API: OSRM's maneuver, flattened, with its English instruction. */
export interface RouteStep {
  instruction: string;
  type: string;
  modifier?: string;
  exit?: number;
  name: string;
  mode: string;
  /** The side traffic keeps to on this map. */
  driving_side: 'left' | 'right';
  location: LonLat;
  bearing_before: number;
  bearing_after: number;
  duration: number;
  distance: number;
  geometry?: GeoJsonLineString | string;
}

export interface RouteLeg {
  duration: number;
  distance: number;
  weight: number;
  /** Streets along the leg, in order. */
  summary: string;
  names: string[];
  steps?: RouteStep[];
  annotation?: { duration?: number[]; distance?: number[]; speed?: number[]; nodes?: number[] };
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
  /** What the route minimised: seconds of travel, or with a custom model its weight (travel time / priority + distance influence). */
  weight: number;
  geometry: GeoJsonLineString | string | null;
  legs: RouteLeg[];
  waypoints: Waypoint[];
  /** With `alternatives`: other admissible routes, best first (no waypoints: they share the request's). */
  alternatives?: Omit<RouteResponse, 'waypoints' | 'alternatives'>[];
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

export function waypointOf(s: NativeSnap): Waypoint {
  return { location: s.location, distance: round(s.distance, 2), name: s.name };
}

function radiusOptions(req: { radius?: number; radiuses?: (number | null)[] }) {
  const radius = req.radius ?? Infinity;
  const radiuses = req.radiuses ? Float64Array.from(req.radiuses, (r) => (r == null ? radius : r)) : undefined;
  return radiuses ? { radius, radiuses } : { radius };
}

export { radiusOptions };

export function routeOnMap(map: MapHandle, req: RouteRequest): RouteResponse {
  const format = req.geometry ?? 'geojson';
  const annotations = req.annotations ?? [];
  const r: NativeRoute = callNative(() =>
    observeNative('ch.route', { 'waymark.waypoints': req.coordinates.length }, req.coordinates.length, (timings) =>
      native.route(map, flatCoordinates(req.coordinates), {
        ...radiusOptions(req),
        geometry: format !== false,
        ...(req.allowIsolated ? { allowIsolated: true } : {}),
        ...(req.steps ? { steps: true } : {}),
        ...(annotations.length > 0 ? { pieces: true } : {}),
        ...(annotations.includes('nodes') ? { osmNodes: true } : {}),
        ...(req.alternatives ? { alternatives: req.alternatives } : {}),
        ...(timings ? { timings } : {}),
      }),
    ),
  );
  const drivingSide = req.steps ? native.mapHeader(map).drivingSide : 'right';
  const shape = (x: NativeRoute): Omit<RouteResponse, 'waypoints'> => ({
    duration: round(x.duration, 1),
    distance: round(x.distance, 1),
    weight: round(x.weight, 1),
    geometry: formatGeometry(x.geometry, format),
    legs: x.legs.map((l, legIndex) => {
      const leg: RouteLeg = { duration: round(l.duration, 1), distance: round(l.distance, 1), weight: round(l.weight, 1), summary: l.names.slice(0, 2).join(', '), names: l.names };
      if (req.steps && x.steps) {
        leg.steps = osrmSteps(x.steps, legIndex, x.geometry, format === false ? 'geojson' : format, drivingSide).map((s) => {
          const m = s.maneuver as { type: string; modifier?: string; exit?: number; location: LonLat; bearing_before: number; bearing_after: number };
          const step: RouteStep = {
            instruction: textInstructions.compile('en', s),
            type: m.type,
            ...(m.modifier ? { modifier: m.modifier } : {}),
            ...(m.exit ? { exit: m.exit } : {}),
            name: s.name,
            mode: s.mode,
            driving_side: s.driving_side,
            location: m.location,
            bearing_before: m.bearing_before,
            bearing_after: m.bearing_after,
            duration: s.duration,
            distance: s.distance,
          };
          if (format !== false && s.geometry) step.geometry = s.geometry;
          return step;
        });
      }
      if (annotations.length > 0) leg.annotation = annotationOf(l.pieces ?? new Float64Array(0), x.geometry, annotations, l.osmNodes);
      return leg;
    }),
  });
  const out: RouteResponse = { ...shape(r), waypoints: r.waypoints.map(waypointOf) };
  if (req.alternatives) out.alternatives = (r.alternatives ?? []).map(shape);
  return out;
}

/** Parses "lon,lat" (CLI and OSRM URL style). */
export function parseLonLat(text: string): LonLat {
  const parts = text.split(',');
  if (parts.length !== 2) throw new WaymarkError('InvalidValue', `expected lon,lat but got '${text}'`);
  const [lon, lat] = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) throw new WaymarkError('InvalidValue', `'${text}' is not a valid lon,lat coordinate`);
  return [lon, lat];
}
