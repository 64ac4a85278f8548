/**
 * The insertion's fast paths (native/vrp/algorithms/insertion.cc, route_segments.cc), checked by
 * the solver's own cross-checks: with verifyFastPath every O(1) feasibility answer is compared with
 * the exact route evaluation, every route taken as "fits anywhere" is evaluated exactly at the chosen
 * place, and every job's scan is compared with the slow candidate heap; any disagreement throws
 * (Internal). The problems are shaped to reach each branch: an asymmetric cost matrix (the scan
 * reads the task's column: packed 16-bit pairs, or 32-bit ones where costs go beyond 16 bits), a
 * symmetric one (its row only), open routes (no start or no end),
 * travel-time and distance limits that bind (and limits too large to bind), time windows that
 * open late but never close in reach (time is free: no time-window data at all) and windows that
 * bind (the three-piece check). Each answer also passes the independent checker, and the
 * cross-checks leave the answer unchanged (same seed and iteration cap with and without).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSolution } from '../src/vrp/checker.js';
import { solveVroom, type SolveOptions } from '../src/vrp/solve.js';
import type { VroomProblem } from '../src/vrp/types.js';

interface Shape {
  symmetric: boolean;
  open?: 'start' | 'end';
  maxTravelTime?: number;
  maxDistance?: number;
  windows?: 'late-open' | 'binding';
  // Costs multiplied by this (default 1): 100 takes them beyond 16 bits, so that the scan reads
  // 32-bit pairs instead of packed 16-bit ones.
  scale?: number;
}

function problem(seed: number, shape: Shape): VroomProblem {
  let state = seed;
  const rand = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const n = 80;
  const pts = Array.from({ length: n + 1 }, () => [Math.round(rand() * 1000), Math.round(rand() * 1000)]);
  pts[0] = [500, 500];
  const base = pts.map((a) => pts.map((b) => Math.round(Math.hypot(a[0] - b[0], a[1] - b[1]) * (shape.scale ?? 1))));
  // Asymmetric: one direction up to 30 % dearer (a one-way street, a hill).
  const durations = base.map((row, i) => row.map((d, j) => (shape.symmetric || i >= j ? d : Math.round(d * (1 + 0.3 * rand())))));
  const distances = base.map((row) => row.map((d) => Math.round(d * 1.1)));
  const jobs = Array.from({ length: n }, (_, i) => {
    const open = shape.windows === 'late-open' ? Math.round(rand() * 3000) : shape.windows === 'binding' ? Math.round(rand() * 6000) : 0;
    return {
      id: i + 1,
      location_index: i + 1,
      service: 10,
      delivery: [1 + (i % 4)],
      ...(i % 5 === 0 ? { pickup: [2] } : {}),
      ...(shape.windows === 'late-open' ? { time_windows: [[open, 900_000_000]] as [number, number][] } : {}),
      ...(shape.windows === 'binding' ? { time_windows: [[open, open + 1500]] as [number, number][] } : {}),
    };
  });
  const vehicles = Array.from({ length: 12 }, (_, v) => ({
    id: v + 1,
    ...(shape.open === 'start' ? {} : { start_index: 0 }),
    ...(shape.open === 'end' ? {} : { end_index: 0 }),
    capacity: [v % 2 ? 25 : 18],
    ...(shape.windows === 'binding' ? { time_window: [0, 9000] as [number, number] } : {}),
    ...(shape.maxTravelTime !== undefined ? { max_travel_time: shape.maxTravelTime } : {}),
    ...(shape.maxDistance !== undefined ? { max_distance: shape.maxDistance } : {}),
  }));
  return { vehicles, jobs, matrices: { car: { durations, distances } } } as unknown as VroomProblem;
}

const RUN: SolveOptions = { search: 'sisr', seed: 3, threads: 1, timeLimit: 600, maxIterations: 1500 };

function solveBoth(p: VroomProblem) {
  const checked = solveVroom(p, { ...RUN, verifyFastPath: true });
  assert.deepEqual(checkSolution(checked.model, checked.solution), [], 'the independent checker accepts the solution');
  const plain = solveVroom(p, RUN);
  assert.equal(plain.solution.summary.cost, checked.solution.summary.cost, 'the cross-checks do not change the answer');
  assert.equal(plain.solution.summary.unassigned, checked.solution.summary.unassigned);
  return checked.solution;
}

describe('VRP insertion fast paths', () => {
  const shapes: [string, Shape][] = [
    ['asymmetric costs, capacity only', { symmetric: false }],
    ['asymmetric costs beyond 16 bits, capacity only', { symmetric: false, scale: 100 }],
    ['symmetric costs, capacity only', { symmetric: true }],
    ['asymmetric, open end, binding travel-time limit', { symmetric: false, open: 'end', maxTravelTime: 2600 }],
    ['symmetric, open start, binding distance limit', { symmetric: true, open: 'start', maxDistance: 2900 }],
    ['limits too large to bind', { symmetric: true, maxTravelTime: 10_000_000, maxDistance: 10_000_000 }],
    ['windows that open late and never close in reach', { symmetric: false, windows: 'late-open' }],
    ['binding time windows', { symmetric: false, windows: 'binding' }],
    ['binding time windows and travel-time limit, open end', { symmetric: true, windows: 'binding', open: 'end', maxTravelTime: 3500 }],
    ['binding time windows, open start', { symmetric: false, windows: 'binding', open: 'start' }],
  ];
  for (const [name, shape] of shapes) {
    it(`${name}: every fast answer matches the exact evaluation`, () => {
      const solution = solveBoth(problem(17, shape));
      // The limits bind: some route ends near them, and some job is left out or several vans run.
      if (shape.maxTravelTime !== undefined && shape.maxTravelTime < 10_000) {
        assert.ok(solution.routes.every((r) => r.duration <= shape.maxTravelTime!), 'every route within max_travel_time');
        assert.ok(solution.routes.length >= 4, `${solution.routes.length} routes`);
      }
      if (shape.maxDistance !== undefined && shape.maxDistance < 10_000) {
        assert.ok(solution.routes.every((r) => (r.distance ?? 0) <= shape.maxDistance!), 'every route within max_distance');
      }
    });
  }
});
