/** OSRM step objects and per-segment annotations from a native route's steps and road pieces. */
import { native, type NativeSteps } from '../native/index.js';
import type { AnnotationKind } from '../server/osrm-options.js';
import { formatGeometry } from './geometry.js';
import type { GeometryFormat } from './route.js';

const round1 = (x: number) => Math.round(x * 10) / 10;
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

function haversine(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Numbers per step and per intersection in NativeSteps (native/binding/steps_to_js.h). */
const STEP_FIELDS = 15;
const INTERSECTION_FIELDS = 5;

let vocabulary: { types: string[]; modifiers: string[] } | undefined;

export type DrivingSide = 'left' | 'right';

/**
 * OSRM step objects of leg `leg` of a route, read from the packed native steps; a step's geometry is
 * its slice of the route geometry (the arrival: its point twice).
 */
export function osrmSteps(packed: NativeSteps, leg: number, geometry: Float64Array, format: GeometryFormat, drivingSide: DrivingSide = 'right') {
  const { types, modifiers } = (vocabulary ??= native.maneuverNames());
  const n = packed.numbers;
  const xs = packed.intersections;
  const first = leg === 0 ? 0 : packed.legEnd[leg - 1];
  const end = packed.legEnd[leg];
  let x = first === 0 ? 0 : n[(first - 1) * STEP_FIELDS + 13];
  let b = x === 0 ? 0 : xs[(x - 1) * INTERSECTION_FIELDS + 4];
  const out = [];
  for (let k = first; k < end; k++) {
    const f = k * STEP_FIELDS;
    let slice = geometry.subarray(2 * n[f + 11], 2 * n[f + 12] + 2);
    if (slice.length === 2) slice = Float64Array.of(slice[0], slice[1], slice[0], slice[1]);
    const maneuver: Record<string, unknown> = {
      bearing_after: n[f + 6],
      bearing_before: n[f + 5],
      location: [round6(n[f + 3]), round6(n[f + 4])],
      type: types[n[f]],
    };
    if (n[f + 1] !== 0) maneuver.modifier = modifiers[n[f + 1]];
    if (n[f + 2] > 0) maneuver.exit = n[f + 2];
    const intersections: Record<string, unknown>[] = [];
    for (const xEnd = n[f + 13]; x < xEnd; x++) {
      const g = x * INTERSECTION_FIELDS;
      const bEnd = xs[g + 4];
      const bearings: number[] = [];
      const entry: boolean[] = [];
      for (; b < bEnd; b++) {
        bearings.push(packed.bearings[b]);
        entry.push(packed.entry[b] === 1);
      }
      const o: Record<string, unknown> = { location: [round6(xs[g]), round6(xs[g + 1])], bearings, entry };
      if (xs[g + 2] >= 0) o.in = xs[g + 2];
      if (xs[g + 3] >= 0) o.out = xs[g + 3];
      intersections.push(o);
    }
    const ref = packed.names[n[f + 14]];
    out.push({
      geometry: formatGeometry(slice, format),
      maneuver,
      mode: n[f + 8] === 1 ? 'ferry' : 'driving',
      driving_side: drivingSide,
      name: packed.names[n[f + 7]],
      // OSRM includes a way's ref (A1, D6007...) only where it has one.
      ...(ref ? { ref } : {}),
      intersections,
      weight: round1(n[f + 9]),
      duration: round1(n[f + 9]),
      distance: round1(n[f + 10]),
    });
  }
  return out;
}
export type OsrmStep = ReturnType<typeof osrmSteps>[number];

/** Per coordinate pair of a leg's geometry: each road piece's cost spread over its pairs by length. */
export function annotationOf(pieces: Float64Array, geometry: Float64Array, kinds: readonly AnnotationKind[], osmNodes?: Float64Array) {
  const distance: number[] = [];
  const duration: number[] = [];
  for (let p = 0; p < pieces.length; p += 4) {
    const [begin, end, seconds] = [pieces[p], pieces[p + 1], pieces[p + 2]];
    const lengths: number[] = [];
    for (let g = begin; g < end; g++) lengths.push(haversine(geometry[2 * g], geometry[2 * g + 1], geometry[2 * g + 2], geometry[2 * g + 3]));
    const total = lengths.reduce((t, x) => t + x, 0);
    for (const l of lengths) {
      distance.push(l);
      duration.push(total > 0 ? (seconds * l) / total : 0);
    }
  }
  const out: Record<string, unknown> = {};
  if (kinds.includes('duration')) out.duration = duration.map(round1);
  // One OSM node id per coordinate of the leg (one more than the pairs above), as OSRM's nodes.
  if (kinds.includes('nodes')) out.nodes = Array.from(osmNodes ?? []);
  if (kinds.includes('distance')) out.distance = distance.map(round1);
  if (kinds.includes('speed')) out.speed = distance.map((d, i) => (duration[i] > 0 ? round1(d / duration[i]) : 0));
  if (kinds.includes('weight')) out.weight = duration.map(round1);
  if (kinds.includes('datasource')) {
    out.datasource = distance.map(() => 0);
    out.metadata = { datasource_names: ['lua profile'] };
  }
  return out;
}
