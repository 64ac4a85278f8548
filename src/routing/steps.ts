/** OSRM step objects and per-segment annotations from a native route's steps and road pieces. */
import type { NativeStep } from '../native/index.js';
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

/** OSRM step objects; a step's geometry is its slice of the route geometry (the arrival: its point twice). */
export function osrmSteps(steps: NativeStep[], geometry: Float64Array, format: GeometryFormat) {
  return steps.map((s) => {
    let slice = geometry.subarray(2 * s.geometryBegin, 2 * s.geometryEnd + 2);
    if (slice.length === 2) slice = Float64Array.of(slice[0], slice[1], slice[0], slice[1]);
    const maneuver: Record<string, unknown> = {
      bearing_after: s.bearingAfter,
      bearing_before: s.bearingBefore,
      location: [round6(s.location[0]), round6(s.location[1])],
      type: s.type,
    };
    if (s.modifier) maneuver.modifier = s.modifier;
    if (s.exit > 0) maneuver.exit = s.exit;
    return {
      geometry: formatGeometry(slice, format),
      maneuver,
      mode: s.mode,
      driving_side: 'right',
      name: s.name,
      intersections: s.intersections.map((x) => {
        const o: Record<string, unknown> = { location: [round6(x.location[0]), round6(x.location[1])], bearings: x.bearings, entry: x.entry };
        if (x.in >= 0) o.in = x.in;
        if (x.out >= 0) o.out = x.out;
        return o;
      }),
      weight: round1(s.duration),
      duration: round1(s.duration),
      distance: round1(s.distance),
    };
  });
}
export type OsrmStep = ReturnType<typeof osrmSteps>[number];

/** Per coordinate pair of a leg's geometry: each road piece's cost spread over its pairs by length. */
export function annotationOf(pieces: Float64Array, geometry: Float64Array, kinds: readonly AnnotationKind[]) {
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
  if (kinds.includes('distance')) out.distance = distance.map(round1);
  if (kinds.includes('speed')) out.speed = distance.map((d, i) => (duration[i] > 0 ? round1(d / duration[i]) : 0));
  if (kinds.includes('weight')) out.weight = duration.map(round1);
  if (kinds.includes('datasource')) {
    out.datasource = distance.map(() => 0);
    out.metadata = { datasource_names: ['lua profile'] };
  }
  return out;
}
