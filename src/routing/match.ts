/**
 * OSRM's match service on a loaded map: tidy the trace, match it natively (HMM + Viterbi,
 * native/match/), and shape matchings and tracepoints as OSRM does.
 */
import * as turf from '@turf/turf';
import { WaymarkError } from '../errors.js';
import { native, type MapHandle, type NativeMatchLeg, type NativeMatching } from '../native/index.js';
import { callNative, flatCoordinates, formatGeometry, type LonLat } from './route.js';
import { osrmSteps, type DrivingSide } from './steps.js';

/** Per coordinate pair of the full geometry; `nodes` per coordinate (OSM node ids). */
export const MATCH_ANNOTATIONS = ['duration', 'distance', 'speed', 'weight', 'nodes', 'datasources'] as const;
export type MatchAnnotation = (typeof MATCH_ANNOTATIONS)[number];

export interface MatchRequest {
  coordinates: LonLat[];
  /** Seconds (UNIX time or any epoch), one per coordinate. */
  timestamps?: number[];
  /** GPS error (standard deviation, metres) per coordinate; null = default (5 m). */
  radiuses?: (number | null)[];
  gaps: 'split' | 'ignore';
  tidy: boolean;
  overview: 'full' | 'simplified' | 'false';
  geometries: 'polyline' | 'polyline6' | 'geojson';
  annotations: MatchAnnotation[];
  /** Turn-by-turn steps per leg (as /route). */
  steps?: boolean;
  /** Indices of the coordinates that delimit legs (default: every coordinate). */
  waypoints?: number[];
  generateHints?: boolean;
}

/** Defaults of the HMM (see native/match/hmm_matcher.h). */
export const DEFAULT_GPS_SIGMA = 5;
/** Tidy: a fix this close to the last one kept (metres) adds nothing but noise. */
const TIDY_DISTANCE_M = 15;

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * Tidy (OSRM's `tidy=true`): drops fixes within 15 m of the previous fix kept and, with timestamps,
 * fixes not later than it (duplicates, out-of-order). Returns the kept input indices.
 */
export function tidyTrace(coords: LonLat[], timestamps: number[] | undefined): number[] {
  const kept: number[] = [];
  for (let i = 0; i < coords.length; i++) {
    const last = kept[kept.length - 1];
    if (last !== undefined) {
      const near = turf.distance(coords[last], coords[i], { units: 'meters' }) < TIDY_DISTANCE_M;
      const notLater = timestamps !== undefined && timestamps[i] <= timestamps[last];
      if (near || notLater) continue;
    }
    kept.push(i);
  }
  return kept;
}

function geometryOf(flat: Float64Array, req: MatchRequest) {
  if (req.overview === 'false') return undefined;
  let coords = flat;
  if (req.overview === 'simplified' && flat.length >= 6) {
    const line = turf.lineString(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]]));
    coords = Float64Array.from(turf.simplify(line, { tolerance: 0.00001, highQuality: false }).geometry.coordinates.flat());
  }
  return formatGeometry(coords, req.geometries);
}

function legAnnotation(legs: NativeMatchLeg[], wanted: MatchAnnotation[]) {
  const distance = legs.flatMap((l) => Array.from(l.pairDistance, (d) => round(d, 1)));
  const duration = legs.flatMap((l) => Array.from(l.pairDuration, (d) => round(d, 1)));
  const out: Record<string, number[]> = {};
  for (const a of wanted) {
    if (a === 'distance') out.distance = distance;
    if (a === 'duration' || a === 'weight') out[a] = duration;
    if (a === 'speed') out.speed = distance.map((d, i) => (duration[i] > 0 ? round(d / duration[i], 1) : 0));
    if (a === 'datasources') out.datasources = distance.map(() => 0);
    // Legs share their joining coordinate: its node once.
    if (a === 'nodes') {
      out.nodes = [];
      for (const l of legs) out.nodes.push(...Array.from(l.osmNodes ?? []).slice(out.nodes.length > 0 ? 1 : 0));
    }
  }
  return out;
}

/** Confidence of a matching: how well its length agrees with the trace's (1 = same length). */
function confidence(m: NativeMatching): number {
  const a = m.distance;
  const b = m.traceDistance;
  if (Math.max(a, b) === 0) return 1;
  return round(Math.min(a, b) / Math.max(a, b), 3);
}

export function matchOnMap(map: MapHandle, req: MatchRequest): Record<string, unknown> {
  const drivingSide: DrivingSide = req.steps ? native.mapHeader(map).drivingSide : 'right';
  const n = req.coordinates.length;
  if (n < 2) throw new WaymarkError('InvalidQuery', 'a trace needs at least two coordinates');
  if (req.timestamps) {
    if (req.timestamps.length !== n) throw new WaymarkError('InvalidValue', `timestamps must have ${n} entries, one per coordinate`);
    if (!req.tidy) {
      for (let i = 1; i < n; i++) {
        if (req.timestamps[i] < req.timestamps[i - 1]) throw new WaymarkError('InvalidValue', `timestamps must not decrease (coordinate ${i})`);
      }
    }
  }
  if (req.radiuses && req.radiuses.length !== n) throw new WaymarkError('InvalidValue', `radiuses must have ${n} entries, one per coordinate`);
  const waypoints = req.waypoints;
  if (waypoints) {
    if (waypoints[0] !== 0 || waypoints[waypoints.length - 1] !== n - 1) {
      throw new WaymarkError('InvalidValue', 'waypoints must start with the first coordinate (0) and end with the last one');
    }
    for (let i = 1; i < waypoints.length; i++) {
      if (!(waypoints[i] > waypoints[i - 1])) throw new WaymarkError('InvalidValue', 'waypoints must be increasing indices');
    }
  }
  const kept = req.tidy ? tidyTrace(req.coordinates, req.timestamps) : req.coordinates.map((_, i) => i);
  const coords = kept.map((i) => req.coordinates[i]);
  const wantAnnotations = req.annotations.length > 0;
  const raw = callNative(() =>
    native.match(map, flatCoordinates(coords), {
      radiuses: Float64Array.from(kept, (i) => req.radiuses?.[i] ?? DEFAULT_GPS_SIGMA),
      ...(req.timestamps ? { timestamps: Float64Array.from(kept, (i) => req.timestamps![i]) } : {}),
      splitGaps: req.gaps === 'split',
      geometry: req.overview !== 'false' || wantAnnotations,
      ...(req.steps ? { steps: true } : {}),
      ...(req.annotations.includes('nodes') ? { osmNodes: true } : {}),
      ...(req.steps && waypoints ? { waypoints: Float64Array.from(waypoints.map((w) => kept.indexOf(w)).filter((k) => k >= 0)) } : {}),
    }),
  );
  if (raw.matchings.length === 0) throw new WaymarkError('NoMatch', 'no two consecutive points of the trace could be matched to roads');

  // Tracepoints by input index; waypoints (legs' ends) per matching.
  const isWaypoint = new Set(waypoints ?? req.coordinates.map((_, i) => i));
  if (waypoints) {
    if (raw.matchings.length > 1) throw new WaymarkError('NoMatch', `the trace splits into ${raw.matchings.length} matchings, so the given waypoints cannot all be joined`);
    for (const w of waypoints) {
      const k = kept.indexOf(w);
      if (k < 0 || raw.tracepoints[k] === null) throw new WaymarkError('NoMatch', `waypoint ${w} could not be matched (or was removed by tidy)`);
    }
  }
  const tracepoints: (Record<string, unknown> | null)[] = req.coordinates.map(() => null);
  const matchings = raw.matchings.map((m, mi) => {
    // Legs join consecutive waypoints: the first and last matched point always delimit one.
    const legs: Record<string, unknown>[] = [];
    let group: NativeMatchLeg[] = [];
    let waypointIndex = 0;
    const points = Array.from(m.points);
    points.forEach((p, k) => {
      const input = kept[p];
      const t = raw.tracepoints[p]!;
      const ends = k === 0 || k === points.length - 1 || isWaypoint.has(input);
      tracepoints[input] = {
        ...(req.generateHints === false ? {} : { hint: '' }),
        location: t.location,
        name: t.name,
        distance: round(t.distance, 2),
        matchings_index: mi,
        waypoint_index: ends ? waypointIndex : null,
        alternatives_count: t.alternatives,
      };
      if (k > 0) group.push(m.legs[k - 1]);
      if (ends) {
        waypointIndex++;
        if (k > 0) {
          const duration = group.reduce((s, l) => s + l.duration, 0);
          const distance = group.reduce((s, l) => s + l.distance, 0);
          const names = group.flatMap((l) => l.names).filter((x, i, a) => i === 0 || a[i - 1] !== x);
          const steps = req.steps && m.steps && m.stepGeometry ? osrmSteps(m.steps, legs.length, m.stepGeometry, req.geometries, drivingSide) : [];
          const leg: Record<string, unknown> = {
            steps,
            summary: names.slice(0, 2).join(', '),
            weight: round(duration, 1),
            duration: round(duration, 1),
            distance: round(distance, 1),
          };
          if (wantAnnotations) leg.annotation = legAnnotation(group, req.annotations);
          legs.push(leg);
        }
        group = [];
      }
    });
    const route: Record<string, unknown> = {
      confidence: confidence(m),
      legs,
      weight_name: 'duration',
      weight: round(m.duration, 1),
      duration: round(m.duration, 1),
      distance: round(m.distance, 1),
    };
    const geometry = geometryOf(m.geometry, req);
    if (geometry !== undefined) route.geometry = geometry;
    return route;
  });
  return { code: 'Ok', matchings, tracepoints };
}
