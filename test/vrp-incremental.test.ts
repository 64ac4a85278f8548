/**
 * Incremental route totals (native/vrp/algorithms/insertion.cc, sisr.cc, structures/solution.cc):
 * where only capacity can bind (jobs with one time window opening no later than the vehicle's
 * start, no setup, no breaks, travel-time and distance limits too large to bind), an insertion or a
 * SISR removal updates the route's cost, travel time, distance and service by the detour's arcs
 * instead of evaluating the whole route. With verifyFastPath every such update is compared with the
 * exact route evaluation (every total, feasibility included) and a disagreement throws Internal, so
 * these runs fail if a single incremental total is wrong. The problems are shaped to reach each
 * arc case: open starts and ends (no arc there), different start and end depots with a non-zero
 * self-arc (an empty route's start -> end arc is never part of its cost), fixed costs (paid by a
 * route's first task, refunded with its last), cost, duration and distance matrices that differ
 * and are asymmetric, or shared (distances = durations; durations only: costs = durations, zero
 * distances), two vehicle types, mixed pickups and deliveries, max_tasks. With binding time windows
 * the waiting comes from the cached schedule (insertions) or from the ruined route's patched segment
 * data (SISR removals), both checked the same way. The answers pass
 * the independent checker and do not change with the cross-checks (same seed and iteration cap).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSolution } from '../src/vrp/checker.js';
import { solveVroom, type SolveOptions } from '../src/vrp/solve.js';
import type { VroomProblem } from '../src/vrp/types.js';

interface Shape {
  open?: 'start' | 'end';
  twoDepots?: boolean;
  fixed?: number;
  twoTypes?: boolean;
  maxTasks?: number;
  // Matrices shared (the detour reads one matrix for several totals): distances equal to the
  // durations, or durations only (costs are the durations, distances zero).
  shared?: 'distance-is-duration' | 'durations-only';
  // Time windows that bind (jobs' windows opening through the day, so vans wait, and a shift end):
  // the insertion's totals come from the detour and the cached schedule instead.
  windows?: boolean;
  maxTravelTime?: number;
  // Jobs (default 90; vans in proportion). From 256 locations the insertion's cached route data
  // reuses the arcs of a route's earlier version (kReuseArcsFrom in route_segments.h).
  jobs?: number;
}

function problem(seed: number, shape: Shape): VroomProblem {
  let state = seed;
  const rand = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const n = shape.jobs ?? 90;
  const pts = Array.from({ length: n + 2 }, () => [Math.round(rand() * 1000), Math.round(rand() * 1000)]);
  pts[0] = [500, 500];
  pts[n + 1] = [200, 800];  // the second depot
  const base = pts.map((a) => pts.map((b) => Math.round(Math.hypot(a[0] - b[0], a[1] - b[1]))));
  // Three different matrices, asymmetric, with a non-zero self-arc at the depots (a yard loop).
  const matrix = (f: number, skew: number) =>
    base.map((row, i) => row.map((d, j) => (i === j ? (i === 0 || i === n + 1 ? 7 : 0) : Math.round(d * f * (i < j ? 1 + skew * rand() : 1)))));
  const car = { durations: matrix(1, 0.3), distances: matrix(1.1, 0.2), costs: matrix(0.9, 0.4) };
  const van = { durations: matrix(1.3, 0.1), distances: matrix(1.2, 0.3), costs: matrix(1.5, 0.2) };
  const jobs = Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    location_index: i + 1,
    service: 5 + (i % 7),
    delivery: [1 + (i % 4)],
    ...(i % 5 === 0 ? { pickup: [2] } : {}),
    ...(shape.windows ? { time_windows: [[Math.round(rand() * 6000), 0]].map(([open]) => [open, open + 1200 + Math.round(rand() * 2500)]) } : {}),
  }));
  const depot = (v: number) => (shape.twoDepots && v % 2 ? n + 1 : 0);
  const vehicles = Array.from({ length: Math.ceil((14 * n) / 90) }, (_, v) => ({
    id: v + 1,
    ...(shape.twoTypes && v % 3 === 0 ? { profile: 'van' } : {}),
    ...(shape.open === 'start' ? {} : { start_index: depot(v) }),
    ...(shape.open === 'end' ? {} : { end_index: shape.twoDepots ? depot(v + 1) : depot(v) }),
    capacity: [v % 2 ? 24 : 17],
    ...(shape.fixed !== undefined ? { costs: { fixed: shape.fixed + 10 * (v % 3) } } : {}),
    ...(shape.maxTasks !== undefined ? { max_tasks: shape.maxTasks } : {}),
    ...(shape.windows ? { time_window: [0, 11000] } : {}),
    ...(shape.maxTravelTime !== undefined ? { max_travel_time: shape.maxTravelTime } : {}),
  }));
  const shared =
    shape.shared === 'distance-is-duration' ? { ...car, distances: car.durations } : shape.shared === 'durations-only' ? { durations: car.durations } : car;
  return { vehicles, jobs, matrices: { car: shared, ...(shape.twoTypes ? { van } : {}) } } as unknown as VroomProblem;
}

function solveBoth(p: VroomProblem, run: SolveOptions) {
  const checked = solveVroom(p, { ...run, verifyFastPath: true });
  assert.deepEqual(checkSolution(checked.model, checked.solution), [], 'the independent checker accepts the solution');
  const plain = solveVroom(p, run);
  assert.equal(plain.solution.summary.cost, checked.solution.summary.cost, 'the cross-checks do not change the answer');
  assert.equal(plain.solution.summary.unassigned, checked.solution.summary.unassigned);
  return checked.solution;
}

describe('VRP incremental route totals', () => {
  const shapes: [string, Shape][] = [
    ['closed routes, one depot', {}],
    ['open end', { open: 'end' }],
    ['open start', { open: 'start' }],
    ['start and end at different depots with a yard loop', { twoDepots: true }],
    ['fixed costs', { fixed: 500 }],
    ['two vehicle types with their own matrices, max_tasks', { twoTypes: true, maxTasks: 9, fixed: 40 }],
    ['distances equal to the durations', { shared: 'distance-is-duration', twoDepots: true }],
    ['durations only (costs are the durations, distances zero), open end', { shared: 'durations-only', open: 'end', fixed: 100 }],
  ];
  for (const [name, shape] of shapes) {
    it(`${name}: every incremental total matches the exact evaluation (SISR)`, () => {
      const solution = solveBoth(problem(23, shape), { search: 'sisr', seed: 5, threads: 1, timeLimit: 600, maxIterations: 2500 });
      assert.equal(solution.summary.unassigned, 0);
      if (shape.maxTasks !== undefined) assert.ok(solution.routes.every((r) => r.steps.filter((s) => s.type === 'job').length <= shape.maxTasks!));
    });
  }
  // Time windows that bind: the insertion's waiting (hence every total) comes from the cached
  // schedule, propagated until it rejoins the old one; with costs equal to the durations the scan's
  // arc costs are also the feasibility check's travel times. Both are cross-checked by
  // verifyFastPath against the exact evaluation.
  const timed: [string, Shape][] = [
    ['time windows, own cost matrix', { windows: true }],
    ['time windows, costs are the durations, open end, fixed costs', { windows: true, shared: 'durations-only', open: 'end', fixed: 100 }],
    ['time windows, costs are the durations, two depots, max travel time', { windows: true, shared: 'durations-only', twoDepots: true, maxTravelTime: 3500 }],
    ['time windows, open start, two vehicle types', { windows: true, open: 'start', twoTypes: true }],
    // The cached route data of the insertion is patched from the route's earlier version (what
    // both share at the start and at the end kept, arcs reused where both ends were neighbours
    // there) and a ruined route's waiting comes from it: verifyFastPath compares every patch with
    // a rebuild from nothing, and every total with the exact evaluation.
    ['time windows, 300 jobs (route data patched with reused arcs)', { windows: true, jobs: 300 }],
  ];
  for (const [name, shape] of timed) {
    it(`${name}: every insertion's totals match the exact evaluation (SISR)`, () => {
      const solution = solveBoth(problem(31, shape), { search: 'sisr', seed: 7, threads: 1, timeLimit: 600, maxIterations: 2500 });
      assert.ok(solution.summary.waiting_time > 0, 'the windows make vans wait');
      assert.ok(solution.summary.unassigned < 10);
    });
  }
  it('the hybrid genetic search (repair and education through SISR) with fixed costs and two depots', () => {
    solveBoth(problem(29, { twoDepots: true, fixed: 300 }), { search: 'hgs', seed: 2, threads: 1, timeLimit: 600, maxIterations: 300 });
  });
});
