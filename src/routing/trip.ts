/**
 * OSRM's trip service: the best order to visit the points (a travelling salesman tour or path).
 * Up to EXACT_TRIP_MAX points the order is exact (Held-Karp dynamic programming over subsets);
 * beyond, the VRP solver (one vehicle, the CH matrix) searches under a time budget.
 */
import { WaymarkError } from '../errors.js';
import { native, type MapHandle, type NativeSnap } from '../native/index.js';
import { solveVroom } from '../vrp/solve.js';
import { callNative, flatCoordinates, formatGeometry, type LonLat } from './route.js';
import * as turf from '@turf/turf';
import { osrmSteps } from './steps.js';

export interface TripShape {
  roundtrip: boolean;
  source: 'any' | 'first';
  destination: 'any' | 'last';
}

export interface TripRequest extends TripShape {
  coordinates: LonLat[];
  radiuses?: (number | null)[];
  overview: 'full' | 'simplified' | 'false';
  geometries: 'polyline' | 'polyline6' | 'geojson';
  /** Seconds of search for the VRP solver (beyond the exact size). */
  timeLimit: number;
  generateHints?: boolean;
  /** Turn-by-turn steps per leg (as /route). */
  steps?: boolean;
}

/** Largest trip solved exactly: 2^12 * 12 * 12 steps, well under a millisecond. */
export const EXACT_TRIP_MAX = 12;

/** OSRM supports every combination except an open trip with both ends free. */
export function checkTripShape(shape: TripShape): void {
  if (!shape.roundtrip && shape.source === 'any' && shape.destination === 'any') {
    throw new WaymarkError('NotImplemented', 'a trip with roundtrip=false needs source=first and/or destination=last');
  }
}

/** Cost of visiting the points in `order` (a roundtrip returns to the first). c is n x n, row-major. */
export function tripCost(order: number[], c: ArrayLike<number>, n: number, roundtrip: boolean): number {
  let sum = 0;
  for (let i = 0; i + 1 < order.length; i++) sum += c[order[i] * n + order[i + 1]];
  if (roundtrip && order.length > 1) sum += c[order[order.length - 1] * n + order[0]];
  return sum;
}

/** A cycle given as an order, rotated so that it starts (or ends) where the shape says. */
function rotateCycle(order: number[], n: number, shape: TripShape): number[] {
  const k = shape.destination === 'last' && shape.source !== 'first' ? (order.indexOf(n - 1) + 1) % n : order.indexOf(0);
  return [...order.slice(k), ...order.slice(0, k)];
}

/**
 * The exact best order (Held-Karp). Roundtrips are cycles (from point 0; with source=first and
 * destination=last, the cycle must close from the last point to the first); open trips are paths
 * from the allowed starts to the allowed ends.
 */
export function exactTrip(c: ArrayLike<number>, n: number, shape: TripShape): number[] {
  checkTripShape(shape);
  if (n === 1) return [0];
  const closedFixed = shape.roundtrip && shape.source === 'first' && shape.destination === 'last';
  const cycle = shape.roundtrip && !closedFixed;
  const starts = cycle || shape.source === 'first' ? [0] : [...Array(n).keys()];
  const ends = !cycle && shape.destination === 'last' ? [n - 1] : [...Array(n).keys()];
  const full = (1 << n) - 1;
  const dp = new Float64Array((full + 1) * n).fill(Infinity);
  const parent = new Int8Array((full + 1) * n).fill(-1);
  for (const s of starts) dp[(1 << s) * n + s] = 0;
  for (let mask = 1; mask <= full; mask++) {
    for (let j = 0; j < n; j++) {
      const cur = dp[mask * n + j];
      if (!(mask & (1 << j)) || cur === Infinity) continue;
      for (let k = 0; k < n; k++) {
        if (mask & (1 << k)) continue;
        const next = mask | (1 << k);
        const v = cur + c[j * n + k];
        if (v < dp[next * n + k]) {
          dp[next * n + k] = v;
          parent[next * n + k] = j;
        }
      }
    }
  }
  let best = Infinity;
  let last = -1;
  for (const e of ends) {
    const v = dp[full * n + e] + (cycle ? c[e * n + 0] : 0);
    if (v < best) {
      best = v;
      last = e;
    }
  }
  if (last < 0) throw new WaymarkError('NoTrips', 'no trip joins all the points');
  const order: number[] = [];
  for (let mask = full, j = last; j >= 0; ) {
    order.push(j);
    const p = parent[mask * n + j];
    mask &= ~(1 << j);
    j = p;
  }
  order.reverse();
  return cycle ? rotateCycle(order, n, shape) : order;
}

/** The order found by the VRP solver: one vehicle whose start and end encode the trip's shape. */
export function solverTrip(c: ArrayLike<number>, n: number, shape: TripShape, options: { timeLimit: number; seed?: number; maxIterations?: number }): number[] {
  checkTripShape(shape);
  const closedFixed = shape.roundtrip && shape.source === 'first' && shape.destination === 'last';
  let start: number | undefined;
  let end: number | undefined;
  if (shape.roundtrip && !closedFixed) {
    // A cycle: anchor it at point 0 (or the last point, when the trip must end there).
    start = end = shape.destination === 'last' && shape.source !== 'first' ? n - 1 : 0;
  } else {
    if (shape.source === 'first') start = 0;
    if (shape.destination === 'last' || closedFixed) end = n - 1;
  }
  const durations: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) {
      const v = c[i * n + j];
      if (!Number.isFinite(v)) throw new WaymarkError('NoTrips', `no route from point ${i} to point ${j}`);
      row.push(Math.round(v * 1000)); // milliseconds: integer costs without losing precision
    }
    durations.push(row);
  }
  const jobs = [...Array(n).keys()].filter((i) => i !== start && i !== end).map((i) => ({ id: i, location_index: i }));
  const vehicle: Record<string, unknown> = { id: 0 };
  if (start !== undefined) vehicle.start_index = start;
  if (end !== undefined) vehicle.end_index = end;
  const { solution } = solveVroom(
    { vehicles: [vehicle], jobs, matrices: { car: { durations } } },
    { timeLimit: options.timeLimit, seed: options.seed ?? 1, threads: 1, ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}) },
  );
  if (solution.routes.length !== 1 || solution.unassigned.length > 0) throw new WaymarkError('NoTrips', 'no trip joins all the points');
  const visits = solution.routes[0].steps.filter((s) => s.type === 'job').map((s) => s.id!);
  const order = [...(start !== undefined ? [start] : []), ...visits, ...(end !== undefined && end !== start ? [end] : [])];
  return order;
}

/** Best order for the shape: exact up to EXACT_TRIP_MAX points, the VRP solver beyond. */
export function tripOrder(c: ArrayLike<number>, n: number, shape: TripShape, timeLimit: number): { order: number[]; method: 'exact' | 'solver' } {
  if (n <= EXACT_TRIP_MAX) return { order: exactTrip(c, n, shape), method: 'exact' };
  // An iteration cap keeps mid-sized trips fast (25 points settle within a few thousand
  // iterations); the time budget bounds the large ones.
  return { order: solverTrip(c, n, shape, { timeLimit, maxIterations: 100 * n }), method: 'solver' };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function tripOnMap(map: MapHandle, req: TripRequest): Record<string, unknown> {
  checkTripShape(req);
  const n = req.coordinates.length;
  if (n < 2) throw new WaymarkError('InvalidQuery', 'a trip needs at least two coordinates');
  const radius = 1000;
  const snap = {
    radius,
    ...(req.radiuses ? { radiuses: Float64Array.from(req.radiuses, (r) => r ?? radius) } : {}),
  };
  const m = callNative(() => native.matrix(map, flatCoordinates(req.coordinates), null, { ...snap, distances: false, threads: 1 }));
  const { order } = tripOrder(m.durations!, n, req, req.timeLimit);
  const visit = req.roundtrip ? [...order, order[0]] : order;
  const wantGeometry = req.overview !== 'false';
  const r = callNative(() =>
    native.route(map, flatCoordinates(visit.map((i) => req.coordinates[i])), {
      ...snap,
      ...(req.radiuses ? { radiuses: Float64Array.from(visit, (i) => req.radiuses![i] ?? radius) } : {}),
      geometry: wantGeometry,
      ...(req.steps ? { steps: true } : {}),
    }),
  );
  const legs = r.legs.map((l, i) => ({
    steps: req.steps && r.steps ? osrmSteps(r.steps, i, r.geometry, req.geometries, native.mapHeader(map).drivingSide) : [],
    summary: l.names.slice(0, 2).join(', '),
    weight: round(l.duration, 1),
    duration: round(l.duration, 1),
    distance: round(l.distance, 1),
  }));
  const trip: Record<string, unknown> = {
    legs,
    weight_name: 'duration',
    weight: round(r.duration, 1),
    duration: round(r.duration, 1),
    distance: round(r.distance, 1),
  };
  if (wantGeometry) {
    let coords = r.geometry;
    if (req.overview === 'simplified' && coords.length >= 6) {
      const line = turf.lineString(Array.from({ length: coords.length / 2 }, (_, i) => [coords[2 * i], coords[2 * i + 1]]));
      coords = Float64Array.from(turf.simplify(line, { tolerance: 0.00001, highQuality: false }).geometry.coordinates.flat());
    }
    trip.geometry = formatGeometry(coords, req.geometries);
  }
  const position = new Array<number>(n);
  order.forEach((p, k) => (position[p] = k));
  const snapped: NativeSnap[] = r.waypoints;
  const waypoints = req.coordinates.map((_, i) => {
    const w = snapped[position[i]];
    return {
      ...(req.generateHints === false ? {} : { hint: '' }),
      distance: round(w.distance, 2),
      name: w.name,
      location: w.location,
      trips_index: 0,
      waypoint_index: position[i],
    };
  });
  return { code: 'Ok', trips: [trip], waypoints };
}
