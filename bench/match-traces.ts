/**
 * Synthetic GPS traces with a known truth, for map-matching tests and benchmarks: the fastest route
 * between random road points, driven at its routed speed, sampled every 5–30 s, each fix moved by
 * seeded Gaussian noise, some fixes dropped or sent twice. Coverage measures how much of the true
 * route's length a matching drove on the same directed road segments.
 */
import * as turf from '@turf/turf';
import { native, type MapHandle, type NativeMatch } from '../src/native/index.js';

/** A small seeded generator (mulberry32): reproducible traces for a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export interface TraceOptions {
  sigma: number;
  minInterval?: number;
  maxInterval?: number;
  dropRate?: number;
  duplicateRate?: number;
  /** Waypoints of the true route (2 = from one random road point to another). */
  waypoints?: number;
  /** Shortest true route in metres (random endpoints are redrawn until it is this long). */
  minLength?: number;
  /** Stop sampling after this many points. */
  maxPoints?: number;
  /** Waypoints of the true route (lon, lat pairs) instead of random road points. */
  through?: Float64Array;
}

export interface TruePiece {
  segment: number;
  from: number;
  to: number;
  metres: number;
}

export interface SyntheticTrace {
  coordinates: [number, number][];
  timestamps: number[];
  truth: TruePiece[];
  length: number;
  duration: number;
}

export function syntheticTrace(map: MapHandle, seed: number, options: TraceOptions): SyntheticTrace {
  const rand = seededRandom(seed);
  const waypoints = options.waypoints ?? 2;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 200) throw new Error('no route long enough on this map');
    if (options.through && attempt > 0) throw new Error('the given waypoints do not make a long enough route');
    const pts = options.through ?? native.randomRoadPoints(map, waypoints, seed * 1000 + attempt);
    let route;
    try {
      route = native.route(map, pts, { geometry: true });
    } catch {
      continue;
    }
    if (route.distance < (options.minLength ?? 1000)) continue;
    const line = turf.lineString(Array.from({ length: route.geometry.length / 2 }, (_, i) => [route.geometry[2 * i], route.geometry[2 * i + 1]]));
    const lineKm = turf.length(line, { units: 'kilometers' });
    const coordinates: [number, number][] = [];
    const timestamps: number[] = [];
    const minI = options.minInterval ?? 5;
    const maxI = options.maxInterval ?? 30;
    const push = (t: number, keep = false) => {
      const p = turf.along(line, Math.min(lineKm, (t / route.duration) * lineKm), { units: 'kilometers' }).geometry.coordinates;
      const mPerDegLat = 111195;
      const mPerDegLon = mPerDegLat * Math.cos((p[1] * Math.PI) / 180);
      const c: [number, number] = [p[0] + (gaussian(rand) * options.sigma) / mPerDegLon, p[1] + (gaussian(rand) * options.sigma) / mPerDegLat];
      if (rand() < (options.dropRate ?? 0) && !keep) return;
      coordinates.push(c);
      timestamps.push(Math.round(t));
      if (rand() < (options.duplicateRate ?? 0)) {
        coordinates.push([...c]);
        timestamps.push(Math.round(t));
      }
    };
    // The first and last fixes are never dropped: the truth is the route between them.
    for (let t = 0; t < route.duration && coordinates.length < (options.maxPoints ?? Infinity); t += minI + rand() * (maxI - minI)) push(t, t === 0);
    if (coordinates.length < (options.maxPoints ?? Infinity)) push(route.duration, true);
    if (coordinates.length < 3) continue;
    const seg = native.routeSegments(map, pts);
    const truth: TruePiece[] = Array.from(seg.segments, (s, i) => ({ segment: s, from: seg.from[i], to: seg.to[i], metres: seg.metres[i] }));
    return { coordinates, timestamps, truth, length: route.distance, duration: route.duration };
  }
}

/** The directed pieces a matching drove (needs matches made with { segments: true }). */
export function drivenPieces(match: NativeMatch): TruePiece[] {
  const out: TruePiece[] = [];
  for (const m of match.matchings) {
    for (const leg of m.legs) {
      const segs = leg.segments;
      if (!segs) throw new Error('driven pieces need matches made with { segments: true }');
      segs.forEach((s, i) => {
        const from = i === 0 ? leg.startFraction! : 0;
        const to = i === segs.length - 1 ? leg.endFraction! : 1;
        out.push({ segment: s, from: Math.min(from, to), to: Math.max(from, to), metres: 0 });
      });
    }
  }
  return out;
}

/**
 * Share of the true route's length lying on the driven pieces (same directed segment, overlapping
 * fractions). Traces here sample the route from its start to its end, so all of it is matchable.
 */
export function coverageOf(truth: TruePiece[], driven: TruePiece[]): number {
  const bySegment = new Map<number, [number, number][]>();
  for (const d of driven) {
    const list = bySegment.get(d.segment) ?? [];
    list.push([d.from, d.to]);
    bySegment.set(d.segment, list);
  }
  let total = 0;
  let covered = 0;
  for (const piece of truth) {
    total += piece.metres;
    const span = piece.to - piece.from;
    if (span <= 0) continue;
    // Union of the driven intervals on this segment, intersected with the piece.
    const intervals = (bySegment.get(piece.segment) ?? []).map(([a, b]) => [Math.max(a, piece.from), Math.min(b, piece.to)] as [number, number]).filter(([a, b]) => b > a);
    intervals.sort((x, y) => x[0] - y[0]);
    let share = 0;
    let end = -Infinity;
    for (const [a, b] of intervals) {
      const start = Math.max(a, end);
      if (b > start) share += b - start;
      end = Math.max(end, b);
    }
    covered += (piece.metres * share) / span;
  }
  return total > 0 ? covered / total : 1;
}

/** Share of the true route's length a match drove on the true segments. */
export function coverage(truth: TruePiece[], match: NativeMatch): number {
  return coverageOf(truth, drivenPieces(match));
}

/**
 * The naive matcher (the baseline): snap every fix to its nearest road and drive the fastest route
 * through the snapped points. Returns its pieces.
 */
export function naivePieces(map: MapHandle, coordinates: [number, number][]): TruePiece[] {
  const seg = native.routeSegments(map, Float64Array.from(coordinates.flat()));
  return Array.from(seg.segments, (s, i) => ({ segment: s, from: seg.from[i], to: seg.to[i], metres: seg.metres[i] }));
}
