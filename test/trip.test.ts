/**
 * Trips: the exact Held-Karp order equals brute force over every permutation (up to 12 points, all
 * six OSRM shapes), the VRP solver path comes within a whisker of exact, and answers have OSRM's
 * shape, with the trip's duration equal to the matrix cost of its order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { native } from '../src/native/index.js';
import { exactTrip, solverTrip, tripCost, tripOnMap, type TripShape } from '../src/routing/trip.js';
import type { LonLat } from '../src/routing/route.js';
import { monacoMap } from './helpers.js';

const SHAPES: TripShape[] = [
  { roundtrip: true, source: 'any', destination: 'any' },
  { roundtrip: true, source: 'first', destination: 'any' },
  { roundtrip: true, source: 'any', destination: 'last' },
  { roundtrip: true, source: 'first', destination: 'last' },
  { roundtrip: false, source: 'first', destination: 'last' },
  { roundtrip: false, source: 'first', destination: 'any' },
  { roundtrip: false, source: 'any', destination: 'last' },
];

/** The slow obvious answer: every order allowed by the shape, best cost (pruned once a partial order costs more than the best; costs are non-negative). */
function bruteForce(c: ArrayLike<number>, n: number, shape: TripShape): number {
  let best = Infinity;
  const order: number[] = [];
  const used = new Array<boolean>(n).fill(false);
  const visit = (cost: number) => {
    if (order.length === n) {
      if (shape.destination === 'last' && order[n - 1] !== n - 1) return;
      const total = shape.roundtrip ? cost + c[order[n - 1] * n + order[0]] : cost;
      if (total < best) best = total;
      return;
    }
    for (let k = 0; k < n; k++) {
      if (used[k]) continue;
      if (order.length === 0 && shape.source === 'first' && k !== 0) continue;
      if (shape.destination === 'last' && k === n - 1 && order.length !== n - 1) continue;
      const step = order.length === 0 ? 0 : c[order[order.length - 1] * n + k];
      if (cost + step >= best) continue;
      used[k] = true;
      order.push(k);
      visit(cost + step);
      order.pop();
      used[k] = false;
    }
  };
  visit(0);
  return best;
}

function checkOrder(order: number[], n: number, shape: TripShape): void {
  assert.deepEqual([...order].sort((a, b) => a - b), [...Array(n).keys()]);
  if (shape.source === 'first') assert.equal(order[0], 0);
  if (shape.destination === 'last') assert.equal(order[n - 1], n - 1);
}

async function matrixOf(n: number, seed: number): Promise<{ c: Float64Array; points: LonLat[] }> {
  const { map } = await monacoMap();
  const flat = native.randomRoadPoints(map.handle, n, seed);
  const m = native.matrix(map.handle, flat, null, { distances: false });
  return { c: m.durations!, points: Array.from({ length: n }, (_, i) => [flat[2 * i], flat[2 * i + 1]] as LonLat) };
}

describe('trip (travelling salesman on the CH matrix)', () => {
  it('exact orders equal brute force for every shape, 2 to 9 points', async () => {
    for (let n = 2; n <= 9; n++) {
      const { c } = await matrixOf(n, 100 + n);
      for (const shape of SHAPES) {
        const order = exactTrip(c, n, shape);
        checkOrder(order, n, shape);
        assert.ok(Math.abs(tripCost(order, c, n, shape.roundtrip) - bruteForce(c, n, shape)) < 1e-6, `n=${n} ${JSON.stringify(shape)}`);
      }
    }
  });

  it('exact orders equal brute force at 12 points', async () => {
    const { c } = await matrixOf(12, 12);
    for (const shape of [SHAPES[0], SHAPES[4]]) {
      const order = exactTrip(c, 12, shape);
      checkOrder(order, 12, shape);
      assert.ok(Math.abs(tripCost(order, c, 12, shape.roundtrip) - bruteForce(c, 12, shape)) < 1e-6, JSON.stringify(shape));
    }
  });

  it('the VRP solver path comes within 2% of the exact optimum on 13 and 14 points', async () => {
    for (const n of [13, 14]) {
      const { c } = await matrixOf(n, 200 + n);
      for (const shape of [SHAPES[0], SHAPES[3], SHAPES[5], SHAPES[6]]) {
        const exact = tripCost(exactTrip(c, n, shape), c, n, shape.roundtrip);
        const order = solverTrip(c, n, shape, { timeLimit: 1, maxIterations: 100 * n });
        checkOrder(order, n, shape);
        const cost = tripCost(order, c, n, shape.roundtrip);
        assert.ok(cost <= exact * 1.02 + 1e-6, `n=${n} ${JSON.stringify(shape)}: ${cost} vs exact ${exact}`);
      }
    }
  });

  it('answers with OSRM trip shapes; the route follows the optimal order', async () => {
    const { map } = await monacoMap();
    const { c, points } = await matrixOf(7, 77);
    for (const shape of SHAPES) {
      const answer = tripOnMap(map.handle, { coordinates: points, ...shape, overview: 'full', geometries: 'geojson', timeLimit: 1 }) as any;
      assert.equal(answer.code, 'Ok');
      assert.equal(answer.trips.length, 1);
      const trip = answer.trips[0];
      assert.equal(trip.legs.length, shape.roundtrip ? 7 : 6);
      const order: number[] = [];
      answer.waypoints.forEach((w: any, i: number) => {
        assert.equal(w.trips_index, 0);
        order[w.waypoint_index] = i;
      });
      checkOrder(order, 7, shape);
      assert.ok(Math.abs(trip.duration - bruteForce(c, 7, shape)) <= 0.5, `${JSON.stringify(shape)}: ${trip.duration} s vs optimum ${bruteForce(c, 7, shape)} s`);
      assert.equal(trip.geometry.type, 'LineString');
    }
    assert.throws(() => tripOnMap(map.handle, { coordinates: points, roundtrip: false, source: 'any', destination: 'any', overview: 'false', geometries: 'polyline', timeLimit: 1 }), {
      code: 'NotImplemented',
    });
  });
});
