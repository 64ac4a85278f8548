/**
 * OSRM v5 request options beyond coordinates and radiuses: every option OSRM documents for
 * route/table/nearest is either honoured or refused with 400 — `InvalidOptions` for a value OSRM
 * itself would reject, `NotImplemented` for a documented feature Waymark does not offer (yet).
 * Nothing is accepted and dropped.
 */
import { ApiError } from './errors.js';
import { canonicalExclude, EXCLUDE_CLASSES, type ExcludeClass } from '../routing/metric.js';

const invalid = (message: string) => new ApiError(400, 'InvalidOptions', message);
const notImplemented = (message: string) => new ApiError(400, 'NotImplemented', message);

/** The query-string properties of the options every OSRM service takes (all strings: parsed here). */
export const generalOptionProperties = {
  bearings: { type: 'string', description: 'value,range per coordinate (degrees): snap to the nearest road drivable in that direction (route: and start/end that way)' },
  generate_hints: { type: 'string', description: 'true (default) or false; false omits the hint of each waypoint' },
  hints: { type: 'string', description: 'per coordinate, a hint from an earlier answer (skips snapping; ignored, the point snapped afresh, when made on another map version)' },
  approaches: { type: 'string', description: 'unrestricted (or empty), curb (the point on the kerb side: the right, or the left where traffic keeps left) or opposite per coordinate' },
  exclude: { type: 'string', description: 'road classes to avoid, comma separated: motorway, toll, ferry, unpaved (no route uses them; no waypoint snaps onto them)' },
  snapping: { type: 'string', description: 'default (largest strongly connected component only) or any (every routable road)' },
  skip_waypoints: { type: 'string', description: 'true omits the waypoints array' },
} as const;

export interface GeneralOptionsQuery {
  bearings?: string;
  generate_hints?: string;
  hints?: string;
  approaches?: string;
  exclude?: string;
  snapping?: string;
  skip_waypoints?: string;
}

/** A route waypoint's hint: the snap it had, on the map version it was made on. */
export interface Hint {
  checksum: string;
  edge: number;
  fraction: number;
}

/** Hints are opaque to clients: base64url of "checksum:edge:fraction". */
export function encodeHint(h: Hint): string {
  return Buffer.from(`${h.checksum}:${h.edge}:${h.fraction}`).toString('base64url');
}

export function decodeHint(text: string): Hint | undefined {
  const m = /^([0-9a-f]+):(\d+):([0-9.e-]+)$/.exec(Buffer.from(text, 'base64url').toString('latin1'));
  if (!m) return undefined;
  const fraction = Number(m[3]);
  if (!(fraction >= 0 && fraction <= 1)) return undefined;
  return { checksum: m[1], edge: Number(m[2]), fraction };
}

export interface GeneralOptions {
  generateHints: boolean;
  /** Road classes to avoid (OSRM's exclude): one customized metric per distinct set. */
  exclude?: ExcludeClass[];
  /** Per coordinate: a hint to reuse, or null. */
  hints?: (Hint | null)[];
  /** Value, range per coordinate (range -1 = none). */
  bearings?: Float64Array;
  /** 0 unrestricted, 1 curb, 2 opposite per coordinate. */
  approaches?: Float64Array;
  skipWaypoints: boolean;
  /** snapping=any: also snap onto roads outside the largest strongly connected component. */
  allowIsolated: boolean;
}

export function parseBoolean(value: string | undefined, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw invalid(`${name} must be true or false, not '${value}'`);
}

/** A ;-separated per-coordinate list: the right number of entries (OSRM's rule), each checked by `each`. */
function perCoordinate(value: string, count: number, name: string, each: (entry: string, i: number) => void): void {
  const parts = value.split(';');
  if (parts.length !== count) throw invalid(`${name} must have ${count} entries (one per coordinate), not ${parts.length}`);
  parts.forEach(each);
}

export function parseGeneralOptions(q: GeneralOptionsQuery, count: number): GeneralOptions {
  let hints: (Hint | null)[] | undefined;
  let bearings: Float64Array | undefined;
  if (q.bearings !== undefined) {
    const values: number[] = [];
    perCoordinate(q.bearings, count, 'bearings', (b, i) => {
      if (b === '') return values.push(0, -1);
      const m = /^(\d+),(\d+)$/.exec(b);
      if (!m || Number(m[1]) > 360 || Number(m[2]) > 180) throw invalid(`bearings entry ${i} ('${b}') must be value,range with value in 0..360 and range in 0..180`);
      values.push(Number(m[1]), Number(m[2]));
    });
    if (values.some((v, k) => k % 2 === 1 && v >= 0)) bearings = Float64Array.from(values);
  }
  if (q.hints !== undefined) {
    hints = [];
    perCoordinate(q.hints, count, 'hints', (h, i) => {
      if (h === '') return hints!.push(null);
      const hint = decodeHint(h);
      if (!hint) throw invalid(`hints entry ${i} is not a hint this server made`);
      hints!.push(hint);
    });
  }
  let approaches: Float64Array | undefined;
  if (q.approaches !== undefined) {
    const values: number[] = [];
    perCoordinate(q.approaches, count, 'approaches', (a, i) => {
      if (a === '' || a === 'unrestricted') return values.push(0);
      if (a !== 'curb' && a !== 'opposite') throw invalid(`approaches entry ${i} ('${a}') must be curb, opposite or unrestricted`);
      values.push(a === 'curb' ? 1 : 2);
    });
    if (values.some((v) => v !== 0)) approaches = Float64Array.from(values);
  }
  const exclude = parseExclude(q.exclude);
  let allowIsolated = false;
  if (q.snapping !== undefined) {
    if (q.snapping === 'any') allowIsolated = true;
    else if (q.snapping !== 'default') throw invalid(`snapping must be default or any, not '${q.snapping}'`);
  }
  return {
    ...(hints?.some((h) => h !== null) ? { hints } : {}),
    ...(bearings ? { bearings } : {}),
    ...(approaches ? { approaches } : {}),
    ...(exclude ? { exclude } : {}),
    generateHints: parseBoolean(q.generate_hints, 'generate_hints', true),
    skipWaypoints: parseBoolean(q.skip_waypoints, 'skip_waypoints', false),
    allowIsolated,
  };
}

/** An OSRM waypoint object as Waymark answers it: `hint` only when hints are generated. */
export function shapeWaypoint<T extends { hint?: string }>(w: T, generateHints: boolean): T {
  if (generateHints) return w;
  const { hint: _hint, ...rest } = w;
  return rest as T;
}

export const routeOptionProperties = {
  alternatives: { type: 'string', description: 'false or 0 (default), true (one alternative) or a number of alternatives up to 3; two coordinates only (as OSRM, which answers the best route alone otherwise; Waymark refuses with NotImplemented rather than drop it)' },
  steps: { type: 'string', description: 'true for turn-by-turn steps, false (default)' },
  annotations: { type: 'string', description: 'false (default), true, or a comma list of duration, distance, speed, weight, nodes, datasource' },
  continue_straight: { type: 'string', description: 'true: leave each via point in the direction of arrival; default and false: a route may turn around at a via point' },
  waypoints: { type: 'string', description: 'indices (; separated) of the coordinates that start/end legs; the others are via points' },
} as const;

export interface RouteOptionsQuery {
  alternatives?: string;
  steps?: string;
  annotations?: string;
  continue_straight?: string;
  waypoints?: string;
}

export type AnnotationKind = 'duration' | 'distance' | 'speed' | 'weight' | 'nodes' | 'datasource';
const annotationKinds: readonly AnnotationKind[] = ['duration', 'distance', 'speed', 'weight', 'nodes', 'datasource'];

export interface RouteOptions {
  steps: boolean;
  /** Requested annotation kinds, in OSRM's order; empty = none. */
  annotations: AnnotationKind[];
  /** Indices of the coordinates that are waypoints (legs run between them), undefined = all. */
  waypoints?: number[];
  /** Alternative routes asked for besides the best. */
  alternatives: number;
  /** No turning around at via points. */
  continueStraight: boolean;
}

/** Why alternatives need exactly two coordinates (OSRM's viaroute plugin searches alternatives only for one leg). */
export const ALTERNATIVES_TWO_POINTS =
  "alternatives are searched between two coordinates only: OSRM's route service, too, searches alternatives for a single leg (given more coordinates it answers the best route alone, which Waymark does not do silently); ask with two coordinates or without alternatives";

/** Most alternatives one route request may ask for. */
export const maxAlternatives = 3;

/** What the route service implements so far; the rest of the documented values are refused. */
export interface RouteCapabilities {
  steps: boolean;
  annotations: readonly AnnotationKind[];
}

export function parseRouteOptions(q: RouteOptionsQuery, count: number, can: RouteCapabilities): RouteOptions {
  let alternatives = 0;
  if (q.alternatives !== undefined && q.alternatives !== 'false' && q.alternatives !== '0') {
    if (q.alternatives !== 'true' && !/^[1-9]\d*$/.test(q.alternatives)) throw invalid(`alternatives must be true, false or a number, not '${q.alternatives}'`);
    alternatives = q.alternatives === 'true' ? 1 : Number(q.alternatives);
    if (alternatives > maxAlternatives) throw invalid(`alternatives: at most ${maxAlternatives}`);
    if (count !== 2) throw notImplemented(ALTERNATIVES_TWO_POINTS);
  }
  const steps = parseBoolean(q.steps, 'steps', false);
  if (steps && !can.steps) throw notImplemented('steps are not implemented');
  let annotations: AnnotationKind[] = [];
  if (q.annotations !== undefined && q.annotations !== 'false') {
    const asked = q.annotations === 'true' ? [...annotationKinds] : q.annotations.split(',');
    for (const a of asked) {
      if (!annotationKinds.includes(a as AnnotationKind)) throw invalid(`annotations: '${a}' is not one of true, false, ${annotationKinds.join(', ')}`);
    }
    const missing = asked.filter((a) => !can.annotations.includes(a as AnnotationKind));
    if (missing.length > 0) throw notImplemented(`annotations ${missing.join(', ')} are not implemented (available: ${can.annotations.join(', ') || 'none'})`);
    annotations = annotationKinds.filter((a) => asked.includes(a));
  }
  if (q.continue_straight !== undefined) {
    if (q.continue_straight !== 'true' && q.continue_straight !== 'false' && q.continue_straight !== 'default') {
      throw invalid(`continue_straight must be default, true or false, not '${q.continue_straight}'`);
    }
  }
  let waypoints: number[] | undefined;
  if (q.waypoints !== undefined) {
    waypoints = q.waypoints.split(';').map((s) => {
      const i = Number(s);
      if (s === '' || !Number.isInteger(i) || i < 0 || i >= count) throw invalid(`waypoints: '${s}' is not a coordinate index below ${count}`);
      return i;
    });
    if (waypoints[0] !== 0 || waypoints[waypoints.length - 1] !== count - 1) throw invalid('waypoints must include the first and the last coordinate');
    if (waypoints.some((w, k) => k > 0 && w <= waypoints![k - 1])) throw invalid('waypoints must be in increasing order without repeats');
    if (waypoints.length === count) waypoints = undefined;
  }
  return { steps, annotations, alternatives, continueStraight: q.continue_straight === 'true', ...(waypoints ? { waypoints } : {}) };
}

export const tableOptionProperties = {
  fallback_speed: { type: 'string', description: 'metres per second: cells without a route get the crow-fly distance at this speed (listed in fallback_speed_cells)' },
  fallback_coordinate: { type: 'string', description: 'input (default) or snapped: the coordinates the crow-fly fallback measures between' },
  scale_factor: { type: 'string', description: 'a positive number multiplying every duration (default 1)' },
} as const;

export interface TableOptionsQuery {
  fallback_speed?: string;
  fallback_coordinate?: string;
  scale_factor?: string;
}

export function parseTableOptions(
  q: TableOptionsQuery,
  annotations: readonly string[],
): { scaleFactor: number; fallback?: { speed: number; coordinate: 'input' | 'snapped' } } {
  if (q.fallback_coordinate !== undefined && q.fallback_coordinate !== 'input' && q.fallback_coordinate !== 'snapped') {
    throw invalid(`fallback_coordinate must be input or snapped, not '${q.fallback_coordinate}'`);
  }
  let fallback: { speed: number; coordinate: 'input' | 'snapped' } | undefined;
  if (q.fallback_speed !== undefined) {
    const v = Number(q.fallback_speed);
    if (q.fallback_speed === '' || !Number.isFinite(v) || v <= 0) throw invalid(`fallback_speed must be a positive number, not '${q.fallback_speed}'`);
    fallback = { speed: v, coordinate: q.fallback_coordinate === 'snapped' ? 'snapped' : 'input' };
  }
  let scaleFactor = 1;
  if (q.scale_factor !== undefined) {
    scaleFactor = Number(q.scale_factor);
    if (q.scale_factor === '' || !Number.isFinite(scaleFactor) || scaleFactor <= 0) throw invalid(`scale_factor must be a positive number, not '${q.scale_factor}'`);
    if (!annotations.includes('duration')) throw invalid('scale_factor applies to durations: ask for annotations including duration');
  }
  return { scaleFactor, ...(fallback ? { fallback } : {}) };
}

/** OSRM's exclude=a,b: undefined when absent or empty; unknown classes are InvalidOptions. */
export function parseExclude(text: string | undefined): ExcludeClass[] | undefined {
  if (text === undefined || text === '') return undefined;
  const classes = text.split(',');
  for (const c of classes) {
    if (!(EXCLUDE_CLASSES as readonly string[]).includes(c)) throw invalid(`exclude: '${c}' is not a class of the car profile (${EXCLUDE_CLASSES.join(', ')})`);
  }
  return canonicalExclude(classes);
}
