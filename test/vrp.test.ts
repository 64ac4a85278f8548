import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { WaymarkError } from '../src/errors.js';
import { checkSolution } from '../src/vrp/checker.js';
import { defaultTimeLimit, solveVroom, type SolveOptions } from '../src/vrp/solve.js';
import type { VroomProblem, VroomSolution } from '../src/vrp/types.js';
import { monacoMap, runCli, tempDir } from './helpers.js';

const FAST = { timeLimit: 0.3, seed: 7, threads: 2 };

/** The solver's cooling schedule per search thread (native scheduleIterations; README). */
const scheduleOf = (n: number) => 2000 + n * n * Math.max(4, Math.floor(n / 4));

function euclidMatrix(points: [number, number][]): number[][] {
  return points.map((a) => points.map((b) => Math.round(Math.hypot(a[0] - b[0], a[1] - b[1]))));
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [x, ...p]));
}

function jobOrder(solution: VroomSolution, route = 0): (number | undefined)[] {
  return solution.routes[route].steps.filter((s) => s.type !== 'start' && s.type !== 'end').map((s) => s.id);
}

function solveChecked(problem: VroomProblem, options: SolveOptions = FAST) {
  const result = solveVroom(problem, options);
  assert.deepEqual(checkSolution(result.model, result.solution), [], 'the independent checker accepts the solution');
  return result;
}

describe('VRP solver on problems with known optima', () => {
  it('a single-vehicle TSP of 8 points reaches the brute-force optimum', () => {
    const pts: [number, number][] = [[50, 50], [10, 80], [90, 15], [20, 20], [75, 85], [55, 5], [5, 45], [95, 60], [40, 95]];
    const d = euclidMatrix(pts);
    let best = Infinity;
    for (const p of permutations([1, 2, 3, 4, 5, 6, 7, 8])) {
      let c = d[0][p[0]] + d[p[7]][0];
      for (let i = 1; i < 8; i++) c += d[p[i - 1]][p[i]];
      best = Math.min(best, c);
    }
    const problem: VroomProblem = {
      vehicles: [{ id: 1, start_index: 0, end_index: 0 }],
      jobs: pts.slice(1).map((_, i) => ({ id: i + 1, location_index: i + 1 })),
      matrices: { car: { durations: d } },
    };
    // One vehicle, 8 tasks: solved by enumeration at once, not by the search.
    const { solution } = solveChecked(problem, { seed: 7, threads: 2 });
    assert.equal(solution.summary.cost, best);
    assert.equal(solution.summary.unassigned, 0);
    assert.deepEqual({ ...solution.summary.search, first_solution: 0 }, { iterations: 0, stop_reason: 'exhaustive', time_limit: 1, first_solution: 0 });
    // The search itself reaches the same optimum.
    const searched = solveChecked(problem, { ...FAST, runToTimeLimit: true }).solution;
    assert.equal(searched.summary.cost, best);
    assert.equal(searched.summary.search.stop_reason, 'time_limit');
    assert.ok(searched.summary.search.iterations > 0);
  });

  it('exhaustive search of one vehicle finds the best subset when not every task fits', () => {
    // Capacity 3 and amounts 2, 1, 1, 2, 1: the cheapest route serving the most tasks, against
    // brute force over every sequence of every subset (equal task counts: lowest cost).
    const pts: [number, number][] = [[0, 0], [10, 0], [0, 12], [-7, 3], [5, 9], [-3, -8]];
    const amounts = [2, 1, 1, 2, 1];
    const d = euclidMatrix(pts);
    let best = { served: 0, cost: 0 };
    const subsets = (xs: number[]): number[][] => (xs.length === 0 ? [[]] : subsets(xs.slice(1)).flatMap((s) => [s, [xs[0], ...s]]));
    for (const s of subsets([1, 2, 3, 4, 5])) {
      if (s.reduce((n, j) => n + amounts[j - 1], 0) > 3 || s.length === 0) continue;
      for (const p of permutations(s)) {
        let c = d[0][p[0]] + d[p[p.length - 1]][0];
        for (let i = 1; i < p.length; i++) c += d[p[i - 1]][p[i]];
        if (p.length > best.served || (p.length === best.served && c < best.cost)) best = { served: p.length, cost: c };
      }
    }
    const { solution } = solveChecked({
      vehicles: [{ id: 1, start_index: 0, end_index: 0, capacity: [3] }],
      jobs: amounts.map((a, i) => ({ id: i + 1, location_index: i + 1, delivery: [a] })),
      matrices: { car: { durations: d } },
    });
    assert.equal(solution.summary.search.stop_reason, 'exhaustive');
    assert.equal(5 - solution.summary.unassigned, best.served);
    assert.equal(solution.summary.cost, best.cost);
  });

  it('stops once converged, well before an explicit time limit; the default limit grows with the size', () => {
    const pts: [number, number][] = Array.from({ length: 16 }, (_, i) => [(i * 37) % 101, (i * 61) % 97]);
    const problem: VroomProblem = {
      vehicles: [1, 2, 3].map((id) => ({ id, start_index: 0, end_index: 0, capacity: [12] })),
      jobs: pts.slice(1).map((_, i) => ({ id: i + 1, location_index: i + 1, delivery: [1 + (i % 3)] })),
      matrices: { car: { durations: euclidMatrix(pts) } },
    };
    // An hour allowed, yet it stops on its own: converged, after a bounded number of iterations.
    const explicit = solveChecked(problem, { timeLimit: 3600, seed: 3, threads: 2 }).solution;
    assert.equal(explicit.summary.search.stop_reason, 'converged');
    assert.equal(explicit.summary.search.time_limit, 3600);
    assert.ok(explicit.summary.search.iterations < 2 * 20_000, `iterations ${explicit.summary.search.iterations}`);
    // Each thread stops only after its cooling schedule (README: 2000 + n² max(4, n/4) iterations).
    assert.ok(explicit.summary.search.iterations >= 2 * scheduleOf(15), `iterations ${explicit.summary.search.iterations}`);
    // Without a time limit: the default for 15 tasks, and the same stop.
    const implicit = solveChecked(problem, { seed: 3, threads: 2 }).solution;
    assert.equal(implicit.summary.search.time_limit, defaultTimeLimit(15));
    assert.equal(implicit.summary.search.stop_reason, 'converged');
    // Running to the limit finds hardly anything better than the converged search (annealing is
    // random: equal is the rule, a small margin keeps the test from depending on luck).
    const full = solveChecked(problem, { timeLimit: 1, seed: 3, threads: 2, runToTimeLimit: true }).solution;
    assert.equal(full.summary.search.stop_reason, 'time_limit');
    assert.ok(explicit.summary.cost <= full.summary.cost * 1.02, `converged ${explicit.summary.cost}, full second ${full.summary.cost}`);
    assert.deepEqual([5, 20, 100, 600, 5000].map(defaultTimeLimit), [1, 1, 5, 30, 30]);
  });

  it('the cooling schedule grows with the cube of the size: 60 tasks search for a while, then stop converged', () => {
    // A 60-task problem with an hour allowed: neither the old schedule (2000 + 4 n² = 16,400
    // iterations per thread, about 0.2 s here) nor the time limit ends it, but each thread's
    // 2000 + 60² x 15 = 56,000 iterations and its no-improvement window.
    let x = 11;
    const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    const pts: [number, number][] = Array.from({ length: 61 }, () => [Math.round(rnd() * 1000), Math.round(rnd() * 1000)]);
    const problem: VroomProblem = {
      vehicles: [1, 2, 3, 4, 5].map((id) => ({ id, start_index: 0, end_index: 0, capacity: [15] })),
      jobs: pts.slice(1).map((_, i) => ({ id: i + 1, location_index: i + 1, delivery: [1] })),
      matrices: { car: { durations: euclidMatrix(pts) } },
    };
    const { solution } = solveChecked(problem, { timeLimit: 3600, seed: 5, threads: 2 });
    assert.equal(solution.summary.search.stop_reason, 'converged');
    assert.equal(scheduleOf(60), 56_000);
    assert.ok(solution.summary.search.iterations >= 2 * scheduleOf(60), `iterations ${solution.summary.search.iterations}`);
    // Bounded: the window after the schedule is short (max(1000, 10 n) iterations without a new best).
    assert.ok(solution.summary.search.iterations < 2 * scheduleOf(60) * 3, `iterations ${solution.summary.search.iterations}`);
  });

  it('capacity forces two routes, and the split is the optimal one', () => {
    // Two clusters left and right of the depot; one vehicle cannot carry both.
    const pts: [number, number][] = [[50, 50], [10, 50], [12, 55], [90, 50], [88, 45]];
    const d = euclidMatrix(pts);
    const { solution } = solveChecked({
      vehicles: [1, 2].map((id) => ({ id, start_index: 0, end_index: 0, capacity: [10] })),
      jobs: [1, 2, 3, 4].map((i) => ({ id: i, location_index: i, delivery: [5] })),
      matrices: { car: { durations: d } },
    });
    assert.equal(solution.summary.routes, 2);
    const clusters = solution.routes.map((r) => r.steps.filter((s) => s.type === 'job').map((s) => s.id).sort());
    assert.deepEqual(clusters.map((c) => c.join()).sort(), ['1,2', '3,4']);
    for (const r of solution.routes) assert.ok(r.delivery[0] <= 10);
  });

  it('a time window forces the visiting order', () => {
    // Job 2 is farther but must be served early; job 1 only opens later.
    const pts: [number, number][] = [[0, 0], [10, 0], [30, 0]];
    const { solution } = solveChecked({
      vehicles: [{ id: 1, start_index: 0, end_index: 0 }],
      jobs: [
        { id: 1, location_index: 1, time_windows: [[100, 200]] },
        { id: 2, location_index: 2, time_windows: [[0, 40]] },
      ],
      matrices: { car: { durations: euclidMatrix(pts) } },
    });
    assert.deepEqual(jobOrder(solution), [2, 1]);
  });

  it('a shipment is picked up before it is delivered, by the same vehicle', () => {
    // Delivering first would be shorter; precedence forbids it.
    const pts: [number, number][] = [[0, 0], [40, 0], [10, 0]];
    const { solution } = solveChecked({
      vehicles: [1, 2].map((id) => ({ id, start_index: 0, end_index: 0, capacity: [1] })),
      shipments: [{ amount: [1], pickup: { id: 1, location_index: 1 }, delivery: { id: 1, location_index: 2 } }],
      matrices: { car: { durations: euclidMatrix(pts) } },
    });
    assert.equal(solution.summary.routes, 1);
    assert.deepEqual(solution.routes[0].steps.filter((s) => s.type === 'pickup' || s.type === 'delivery').map((s) => s.type), ['pickup', 'delivery']);
  });

  it('a skill forces the vehicle', () => {
    const pts: [number, number][] = [[0, 0], [10, 0]];
    const { solution } = solveChecked({
      vehicles: [
        { id: 1, start_index: 0, end_index: 0 },
        { id: 2, start_index: 0, end_index: 0, skills: [7], costs: { fixed: 100 } },
      ],
      jobs: [{ id: 1, location_index: 1, skills: [7] }],
      matrices: { car: { durations: euclidMatrix(pts) } },
    });
    assert.equal(solution.routes.length, 1);
    assert.equal(solution.routes[0].vehicle, 2);
    assert.equal(solution.summary.cost, 120);
  });

  it('a break is taken within its time window', () => {
    const pts: [number, number][] = [[0, 0], [20, 0], [40, 0]];
    const { solution } = solveChecked({
      vehicles: [{ id: 1, start_index: 0, end_index: 0, breaks: [{ id: 5, time_windows: [[25, 30]], service: 10 }] }],
      jobs: [
        { id: 1, location_index: 1, service: 5 },
        { id: 2, location_index: 2, service: 5 },
      ],
      matrices: { car: { durations: euclidMatrix(pts) } },
    });
    const brk = solution.routes[0].steps.find((s) => s.type === 'break');
    assert.ok(brk, 'the break is in the route');
    const begin = brk.arrival + brk.waiting_time;
    assert.ok(begin >= 25 && begin <= 30, `break starts at ${begin}`);
    assert.equal(brk.service, 10);
  });
});

describe('VRP unassigned tasks, checker and input validation', () => {
  it('returns infeasible tasks unassigned, each with a reason', () => {
    const pts: [number, number][] = [[0, 0], [10, 0], [1000, 0]];
    const { solution } = solveChecked({
      vehicles: [{ id: 1, start_index: 0, end_index: 0, capacity: [5], time_window: [0, 500] }],
      jobs: [
        { id: 1, location_index: 1, delivery: [1] },
        { id: 2, location_index: 1, skills: [3], delivery: [1] },
        { id: 3, location_index: 1, delivery: [9] },
        { id: 4, location_index: 2, delivery: [1] },
      ],
      matrices: { car: { durations: euclidMatrix(pts) } },
    });
    const reasons = Object.fromEntries(solution.unassigned.map((u) => [u.id, u.reason]));
    assert.deepEqual(Object.keys(reasons).map(Number).sort(), [2, 3, 4]);
    assert.match(reasons[2], /skills/);
    assert.match(reasons[3], /capacity/);
    assert.match(reasons[4], /time window/);
    assert.deepEqual(jobOrder(solution), [1]);
  });

  it('the checker rejects a tampered solution (it can fail)', () => {
    const pts: [number, number][] = [[0, 0], [10, 0], [20, 5]];
    const { solution, model } = solveChecked({
      vehicles: [{ id: 1, start_index: 0, end_index: 0, capacity: [2] }],
      jobs: [1, 2].map((i) => ({ id: i, location_index: i, delivery: [1], time_windows: [[0, 100]] })),
      matrices: { car: { durations: euclidMatrix(pts) } },
    });
    const tamper = (f: (s: VroomSolution) => void) => {
      const copy = structuredClone(solution);
      f(copy);
      return checkSolution(model, copy);
    };
    assert.ok(tamper((s) => (s.routes[0].steps[1].arrival -= 1)).length > 0, 'arrival arithmetic');
    assert.ok(tamper((s) => (s.routes[0].cost += 1)).length > 0, 'cost');
    assert.ok(tamper((s) => (s.routes[0].steps[1].load = [5])).length > 0, 'load');
    assert.ok(tamper((s) => s.routes[0].steps.splice(1, 1)).length > 0, 'a job dropped without being unassigned');
    assert.ok(tamper((s) => (s.routes[0].steps[2].waiting_time += 200)).length > 0, 'service outside its time window');
  });

  it('refuses matrix values beyond 32 bits (naming the cell) instead of wrapping them', () => {
    const problem = (m: Record<string, number[][]>, vehicle: Record<string, unknown> = {}): VroomProblem => ({
      vehicles: [{ id: 1, start_index: 0, end_index: 0, ...vehicle }],
      jobs: [{ id: 1, location_index: 1 }, { id: 2, location_index: 2 }],
      matrices: { car: m },
    });
    const big = (x: number) => [[0, x, 10], [x, 0, 10], [10, 10, 0]];
    const small = big(20);
    const cases: [string, VroomProblem, RegExp][] = [
      ['3e9 durations (the reported -1294967276 cost)', problem({ durations: big(3e9) }), /^matrices\.car\.durations\[0\]\[1\]: must be at most 2147483647/],
      ['5e9 durations', problem({ durations: big(5e9) }), /matrices\.car\.durations\[0\]\[1\]/],
      ['1e300 durations', problem({ durations: big(1e300) }), /matrices\.car\.durations\[0\]\[1\]/],
      ['1e300 distances', problem({ durations: small, distances: big(1e300) }), /matrices\.car\.distances\[0\]\[1\]/],
      ['1e300 costs', problem({ durations: small, costs: big(1e300) }), /matrices\.car\.costs\[0\]\[1\]/],
      ['speed factor scaling past 2^31', problem({ durations: big(2e9) }, { speed_factor: 0.5 }), /vehicles\[0\]\.speed_factor/],
      ['per-hour cost past 2^31', problem({ durations: big(2e9) }, { costs: { per_hour: 36000 } }), /vehicles\[0\]\.costs/],
      ['a service time of 1e300', { ...problem({ durations: small }), jobs: [{ id: 1, location_index: 1, service: 1e300 }] }, /jobs\[0\]\.service: must be at most/],
      ['a skill past 32 bits', { ...problem({ durations: small }), jobs: [{ id: 1, location_index: 1, skills: [2 ** 32] }] }, /jobs\[0\]\.skills\[0\]: must be at most 4294967295/],
    ];
    for (const [name, p, message] of cases) {
      assert.throws(() => solveVroom(p, FAST), (err: unknown) => err instanceof WaymarkError && err.code === 'InvalidValue' && message.test(err.message), name);
    }
    // At the limit values are exact end to end, and so are the sums past 32 bits along the route.
    const edge = solveChecked(problem({ durations: big(2 ** 31 - 1) }, { speed_factor: 1 }));
    assert.equal(edge.solution.summary.cost, 2 ** 31 - 1 + 20);
    const two = solveChecked({ ...problem({ durations: [[0, 2 ** 31 - 1], [2 ** 31 - 1, 0]] }), jobs: [{ id: 1, location_index: 1 }] });
    assert.equal(two.solution.summary.cost, 2 * (2 ** 31 - 1));
  });

  it('the checker recomputes exactly: it cannot agree with a value wrapped around 32 bits', () => {
    // Every leg fits 32 bits (the model stores the solver's 32-bit matrices) but the route's times
    // do not: 1.5e9 s out and back is 3e9, which a 32-bit sum wraps to a negative number.
    const leg = 1.5e9;
    const { solution, model } = solveChecked({
      vehicles: [{ id: 1, start_index: 0, end_index: 0 }],
      jobs: [{ id: 1, location_index: 1 }],
      matrices: { car: { durations: [[0, leg], [leg, 0]] } },
    });
    const [, job, end] = solution.routes[0].steps;
    assert.equal(job.arrival, leg);
    assert.equal(end.arrival, 2 * leg, 'the solver sums the route beyond 32 bits');
    assert.deepEqual(checkSolution(model, solution), [], 'the exact schedule is accepted');
    const wrapped = structuredClone(solution);
    const total = (2 * leg) | 0;
    wrapped.routes[0].steps[2].arrival = wrapped.routes[0].steps[2].duration = total;
    wrapped.routes[0].duration = wrapped.routes[0].cost = wrapped.summary.cost = wrapped.summary.duration = total;
    assert.ok(total < 0 && checkSolution(model, wrapped).length > 0, 'the wrapped schedule is refused');
  });

  it('O(1) insertion feasibility agrees with the exact evaluation on a random VRPTW', () => {
    // Random customers with single time windows, service times, pickups and deliveries, capacity,
    // an open-ended vehicle and limits: every fast answer is cross-checked by the solver itself.
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pts: [number, number][] = Array.from({ length: 81 }, () => [Math.round(rand() * 100), Math.round(rand() * 100)]);
    pts[0] = [50, 50];
    const problem: VroomProblem = {
      vehicles: [
        ...[1, 2, 3, 4, 5].map((id) => ({ id, start_index: 0, end_index: 0, capacity: [40], time_window: [0, 1000] as [number, number] })),
        { id: 6, start_index: 0, capacity: [25], max_travel_time: 300 },
      ],
      jobs: pts.slice(1).map((_, i) => {
        const open = Math.round(rand() * 600);
        return { id: i + 1, location_index: i + 1, service: 5 + (i % 7), delivery: [i % 4], pickup: [i % 3], time_windows: [[open, open + 60 + Math.round(rand() * 200)]] as [number, number][] };
      }),
      matrices: { car: { durations: euclidMatrix(pts) } },
    };
    const { solution } = solveChecked(problem, { timeLimit: 60, seed: 5, threads: 2, maxIterations: 400, verifyFastPath: true } as typeof FAST);
    assert.ok(solution.summary.routes >= 2);
  });

  it('is reproducible with a seed', () => {
    const pts: [number, number][] = Array.from({ length: 40 }, (_, i) => [(i * 37) % 101, (i * 61) % 97]);
    const problem: VroomProblem = {
      vehicles: [1, 2, 3, 4].map((id) => ({ id, start_index: 0, end_index: 0, capacity: [12] })),
      jobs: pts.slice(1).map((_, i) => ({ id: i + 1, location_index: i + 1, delivery: [1 + (i % 3)] })),
      matrices: { car: { durations: euclidMatrix(pts) } },
    };
    const opts = { timeLimit: 60, seed: 3, threads: 2, maxIterations: 300 };
    const a = solveChecked(problem, opts).solution;
    const b = solveChecked(problem, opts).solution;
    assert.deepEqual(a.routes.map((r) => r.steps.map((s) => s.id)), b.routes.map((r) => r.steps.map((s) => s.id)));
    assert.equal(a.summary.cost, b.summary.cost);
  });

  it('a warm start keeps its plan: the same problem never comes back costlier, and new jobs are placed', () => {
    // The replan path (warm start holding most tasks: the region search, ruins seeded at new tasks,
    // a first local search on the changed routes only) must never lose the plan it was given.
    const pts: [number, number][] = Array.from({ length: 71 }, (_, i) => [(i * 37) % 101, (i * 61) % 97]);
    const jobs = pts.slice(1).map((_, i) => ({ id: i + 1, location_index: i + 1, delivery: [1 + (i % 3)] }));
    const problem = (n: number): VroomProblem => ({
      vehicles: [1, 2, 3, 4, 5, 6].map((id) => ({ id, start_index: 0, end_index: 0, capacity: [30] })),
      jobs: jobs.slice(0, n),
      matrices: { car: { durations: euclidMatrix(pts) } },
    });
    const opts = { timeLimit: 60, seed: 3, threads: 2, maxIterations: 300 };
    const first = solveChecked(problem(60), opts).solution;
    const warmStart = Object.fromEntries(first.routes.map((r) => [String(r.vehicle), r.steps.filter((s) => s.type === 'job').map((s) => ({ type: 'job' as const, id: s.id! }))]));
    const again = solveChecked(problem(60), { ...opts, seed: 4, warmStart }).solution;
    assert.ok(again.summary.cost <= first.summary.cost, `${again.summary.cost} <= ${first.summary.cost}`);
    const grown = solveChecked(problem(70), { ...opts, seed: 4, warmStart }).solution;
    assert.equal(grown.summary.unassigned, 0);
    assert.ok(grown.summary.cost >= again.summary.cost * 0.9, 'ten more jobs are served');
  });

  it('a replan searches by route groups (one per thread, on one thread as on two): each thread changes only its own routes, and the merged plan is exact', () => {
    // The region search (native/vrp/algorithms/region_search.cc): with verifyFastPath every merge
    // checks that no group's search touched a route of another group, and the merged totals against
    // the exact evaluation. Time windows, capacities and a max_travel_time van, with shipments, so
    // that routes of every kind move between groups; a deterministic iteration cap. One thread is
    // one group: the same search, its merges checked the same way.
    let seed = 777;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pts: [number, number][] = Array.from({ length: 121 }, () => [Math.round(rand() * 100), Math.round(rand() * 100)]);
    pts[0] = [50, 50];
    const jobs = pts.slice(1, 101).map((_, i) => {
      const open = Math.round(rand() * 600);
      return { id: i + 1, location_index: i + 1, service: 5, delivery: [1 + (i % 3)], time_windows: [[open, open + 150 + Math.round(rand() * 200)]] as [number, number][] };
    });
    const shipments = [0, 2, 4, 6, 8, 10, 12, 14, 16, 18].map((k, i) => ({
      pickup: { id: 1000 + i, location_index: 101 + k, service: 3 },
      delivery: { id: 2000 + i, location_index: 102 + k, service: 3 },
      amount: [2],
    }));
    const problem = (n: number): VroomProblem => ({
      vehicles: [
        ...[1, 2, 3, 4, 5, 6, 7, 8].map((id) => ({ id, start_index: 0, end_index: 0, capacity: [35], time_window: [0, 1200] as [number, number] })),
        { id: 9, start_index: 0, end_index: 0, capacity: [20], max_travel_time: 400 },
      ],
      jobs: jobs.slice(0, n),
      shipments,
      matrices: { car: { durations: euclidMatrix(pts) } },
    });
    for (const threads of [2, 1]) {
      const opts = { timeLimit: 600, seed: 11, threads, maxIterations: 3_000 };
      const plan = solveChecked(problem(90), opts).solution;
      const warmStart = Object.fromEntries(
        plan.routes.map((r) => [String(r.vehicle), r.steps.filter((s) => s.type === 'job' || s.type === 'pickup' || s.type === 'delivery').map((s) => ({ type: s.type as 'job' | 'pickup' | 'delivery', id: s.id! }))]),
      );
      const replan = solveChecked(problem(100), { ...opts, seed: 12, warmStart, verifyFastPath: true }).solution;
      assert.equal(replan.summary.unassigned, plan.summary.unassigned);
      assert.ok(replan.summary.search!.iterations >= threads * 3_000 * 0.9, `${replan.summary.search!.iterations} iterations: every thread searched`);
      // The same seed gives the same replan (the groups and the phases' iteration caps are deterministic).
      const again = solveChecked(problem(100), { ...opts, seed: 12, warmStart }).solution;
      assert.equal(again.summary.cost, replan.summary.cost, `${threads} threads`);
    }
  });

  it('a small replan stops once converged, on one thread as on two, well before its time limit', () => {
    // The region search shares the early stop's cooling schedule out over its phases, each ending
    // once cooled and without a new best for a while: a dispatcher's small replan answers at once.
    // Without it the replan searches to the limit (30 s here, reported as time_limit).
    const pts: [number, number][] = Array.from({ length: 21 }, (_, i) => [(i * 37) % 101, (i * 61) % 97]);
    const problem = (n: number): VroomProblem => ({
      vehicles: [1, 2, 3, 4].map((id) => ({ id, start_index: 0, end_index: 0, capacity: [15] })),
      jobs: pts.slice(1, n + 1).map((_, i) => ({ id: i + 1, location_index: i + 1, delivery: [1 + (i % 3)] })),
      matrices: { car: { durations: euclidMatrix(pts) } },
    });
    for (const threads of [1, 2]) {
      const plan = solveChecked(problem(18), { seed: 3, threads }).solution;
      const warmStart = Object.fromEntries(plan.routes.map((r) => [String(r.vehicle), r.steps.filter((s) => s.type === 'job').map((s) => ({ type: 'job' as const, id: s.id! }))]));
      const replan = solveChecked(problem(20), { timeLimit: 30, seed: 4, threads, warmStart }).solution;
      assert.equal(replan.summary.search.stop_reason, 'converged', `${threads} threads`);
      assert.equal(replan.summary.unassigned, 0);
      // Two jobs more than the plan: its cost stays of the plan's order (not a search cut short).
      assert.ok(replan.summary.cost >= plan.summary.cost * 0.9 && replan.summary.cost <= plan.summary.cost * 1.5, `${replan.summary.cost} vs ${plan.summary.cost}`);
    }
  });

  it('a replan moves a new job into a full nearby route rather than a route of its own, ejecting a job that fits elsewhere', () => {
    // 0 depot, 1 A, 2 Y, 3 B, 4 X (new). Vans take two jobs. The warm start: [A, Y] (full, 300) and
    // [B] (200). X is next to A and far from B: the greedy insertion gives X a van of its own (200),
    // 700 in all. X beside A (201) with Y beside B (310) is the optimum, 511 on two vans: a move over
    // three routes, none of whose single steps pays (X for Y: +1; Y to B: +10), so the local search
    // alone stays at 700 (as it does from a warm start with X in a van of its own). No search iterations:
    // the answer is the warm start after the ejection, then the local search.
    const d = [
      [0, 100, 150, 100, 100],
      [100, 0, 50, 200, 1],
      [150, 50, 0, 60, 50],
      [100, 200, 60, 0, 250],
      [100, 1, 50, 250, 0],
    ];
    const problem: VroomProblem = {
      vehicles: [1, 2, 3].map((id) => ({ id, start_index: 0, end_index: 0, capacity: [2] })),
      jobs: [1, 2, 3, 4].map((i) => ({ id: i, location_index: i, delivery: [1] })),
      matrices: { car: { durations: d } },
    };
    const warmStart = { '1': [{ type: 'job' as const, id: 1 }, { type: 'job' as const, id: 2 }], '2': [{ type: 'job' as const, id: 3 }] };
    for (const seed of [1, 2, 3]) {
      const s = solveChecked(problem, { timeLimit: 60, seed, threads: 1, maxIterations: 0, warmStart }).solution;
      assert.equal(s.summary.unassigned, 0);
      assert.equal(s.summary.routes, 2);
      assert.equal(s.summary.cost, 511);
      const jobsOf = (v: number) => s.routes.find((r) => r.vehicle === v)?.steps.filter((x) => x.type === 'job').map((x) => x.id!).sort((x, y) => x - y);
      assert.deepEqual([jobsOf(1), jobsOf(2)].sort(), [[1, 4], [2, 3]]);
    }
  });

  it('a replan fits new jobs into the plan\'s full routes by moving tasks between them, rather than opening vans for them', () => {
    // The soft insertion (native/vrp/algorithms/soft_insertion.cc): the twelve new jobs go to their
    // cheapest places over capacity, then the penalised local search moves tasks until every van is
    // within its capacity again. The greedy insertion alone (and the ejection after it) opens a
    // ninth van here. No search iterations: the answer is the warm start after the insertion.
    let seed = 4242;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pts: [number, number][] = Array.from({ length: 121 }, () => [Math.round(rand() * 1000), Math.round(rand() * 1000)]);
    pts[0] = [500, 500];
    const jobs = pts.slice(1).map((_, i) => ({ id: i + 1, location_index: i + 1, delivery: [1 + (i % 3)] }));
    const problem = (n: number): VroomProblem => ({
      vehicles: Array.from({ length: 16 }, (_, v) => ({ id: v + 1, start_index: 0, end_index: 0, capacity: [30] })),
      jobs: jobs.slice(0, n),
      matrices: { car: { durations: euclidMatrix(pts) } },
    });
    const plan = solveChecked(problem(108), { timeLimit: 60, seed: 3, threads: 1, maxIterations: 20_000 }).solution;
    assert.equal(plan.summary.routes, 8);
    const warmStart = Object.fromEntries(plan.routes.map((r) => [String(r.vehicle), r.steps.filter((s) => s.type === 'job').map((s) => ({ type: 'job' as const, id: s.id! }))]));
    const replan = solveChecked(problem(120), { timeLimit: 60, seed: 4, threads: 1, maxIterations: 0, warmStart, verifyFastPath: true }).solution;
    assert.equal(replan.summary.unassigned, 0);
    assert.equal(replan.summary.routes, 8, 'the twelve new jobs fit into the eight vans (240 of their 240 units)');
  });

  it('a replan into full vans searches with soft capacities and ends within the real ones, on one thread as on two', () => {
    // native/vrp/algorithms/soft_capacity.h: the new jobs go to their cheapest places over capacity
    // (the search's problem has its capacities raised by a quarter), the region search prices the
    // load above the real capacities ever more dearly, and routes still over them give up jobs.
    // Time windows and several capacity dimensions, so that both the scan and the prices see them.
    // With verifyFastPath every SISR run checks the price it followed against its solution's, and
    // every insertion scan (prices included) against the candidate heap. The checker then confirms
    // every route within its real capacities.
    let seed = 99;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pts: [number, number][] = Array.from({ length: 151 }, () => [Math.round(rand() * 1000), Math.round(rand() * 1000)]);
    pts[0] = [500, 500];
    const jobs = pts.slice(1).map((_, i) => {
      const open = Math.round(rand() * 4000);
      return { id: i + 1, location_index: i + 1, service: 30, delivery: [1 + (i % 3), 1 + (i % 2)], time_windows: [[open, open + 3000]] as [number, number][] };
    });
    const problem = (n: number): VroomProblem => ({
      vehicles: Array.from({ length: 14 }, (_, v) => ({ id: v + 1, start_index: 0, end_index: 0, capacity: [30, 22], time_window: [0, 12_000] as [number, number] })),
      jobs: jobs.slice(0, n),
      matrices: { car: { durations: euclidMatrix(pts) } },
    });
    const plan = solveChecked(problem(140), { timeLimit: 60, seed: 5, threads: 2, maxIterations: 20_000 }).solution;
    const warmStart = Object.fromEntries(plan.routes.map((r) => [String(r.vehicle), r.steps.filter((s) => s.type === 'job').map((s) => ({ type: 'job' as const, id: s.id! }))]));
    const load = plan.routes.reduce((sum, r) => sum + r.delivery![0], 0);
    assert.ok(load >= plan.summary.routes * 30 * 0.85, `the plan's vans are nearly full (${load} of ${plan.summary.routes * 30})`);
    for (const threads of [1, 2]) {
      const opts = { timeLimit: 600, seed: 6, threads, maxIterations: 4_000, warmStart };
      const replan = solveChecked(problem(150), { ...opts, verifyFastPath: true }).solution;
      assert.equal(replan.summary.unassigned, 0, `${threads} threads`);
      for (const r of replan.routes) assert.ok(r.delivery![0] <= 30 && r.delivery![1] <= 22, `vehicle ${r.vehicle} within capacity`);
      // Ten more jobs cost more than the plan, but not a van each.
      assert.ok(replan.summary.cost > plan.summary.cost * 0.95 && replan.summary.cost < plan.summary.cost * 1.3, `${replan.summary.cost} vs ${plan.summary.cost}`);
      const again = solveChecked(problem(150), opts).solution;
      assert.equal(again.summary.cost, replan.summary.cost, `the same seed gives the same replan (${threads} threads)`);
    }
  });

  it('neighbour lists weigh time windows: a new job goes to the far route that serves its hours, not to the nearby morning route', () => {
    // Vidal et al.'s correlation measure (native/vrp/structures/neighbors.h): 85 morning jobs around
    // (100..109, 0..8) in van 1 (shift 0-700), three afternoon jobs 200 away in van 2; the new job X
    // sits among the morning jobs but is due in the afternoon. By travel cost alone its 80 nearest
    // tasks are all morning jobs, so the insertion sees only van 1 (too late) and an empty van:
    // three routes, and no move of the local search puts X beside a task of van 2. With the windows weighed, van 2's jobs are X's nearest and X joins them.
    const pts: [number, number][] = [[0, 0]];
    for (let i = 0; i < 85; i++) pts.push([100 + (i % 10), Math.floor(i / 10)]);
    pts.push([300, 0], [301, 0], [302, 0], [105, 20]);
    const morning = Array.from({ length: 85 }, (_, i) => ({ id: i + 1, location_index: i + 1, time_windows: [[0, 500]] as [number, number][] }));
    const afternoon = [86, 87, 88].map((i) => ({ id: i, location_index: i, time_windows: [[5000, 6000]] as [number, number][] }));
    const x = { id: 89, location_index: 89, time_windows: [[5000, 6000]] as [number, number][] };
    const problem: VroomProblem = {
      vehicles: [
        { id: 1, start_index: 0, end_index: 0, time_window: [0, 700] },
        // Vans 2-10: more than eight vans, so the insertion looks at the neighbours' routes first.
        ...[2, 3, 4, 5, 6, 7, 8, 9, 10].map((id) => ({ id, start_index: 0, end_index: 0, time_window: [0, 10_000] as [number, number] })),
      ],
      jobs: [...morning, ...afternoon, x],
      matrices: { car: { durations: euclidMatrix(pts) } },
    };
    // Van 1 snakes through the grid row by row.
    const snake = morning.map((j) => j.id).sort((a, b) => {
      const [ra, rb] = [Math.floor((a - 1) / 10), Math.floor((b - 1) / 10)];
      return ra !== rb ? ra - rb : ra % 2 === 0 ? a - b : b - a;
    });
    const warmStart = { '1': snake.map((id) => ({ type: 'job' as const, id })), '2': [86, 87, 88].map((id) => ({ type: 'job' as const, id })) };
    const s = solveChecked(problem, { timeLimit: 60, seed: 1, threads: 1, maxIterations: 0, warmStart }).solution;
    assert.equal(s.summary.unassigned, 0);
    assert.equal(s.summary.routes, 2);
    assert.ok(s.routes.find((r) => r.vehicle === 2)!.steps.some((st) => st.id === 89), 'X rides with the afternoon jobs');
  });

  it('rejects malformed problems with errors naming the offending field', () => {
    const d = euclidMatrix([[0, 0], [1, 1]]);
    const base = (): VroomProblem => ({
      vehicles: [{ id: 1, start_index: 0, capacity: [3] }],
      jobs: [{ id: 1, location_index: 1, delivery: [1] }],
      matrices: { car: { durations: d } },
    });
    const cases: [string, (p: VroomProblem) => void, RegExp][] = [
      ['duplicate ids', (p) => p.jobs!.push({ id: 1, location_index: 1, delivery: [1] }), /jobs\[1\]\.id: duplicate job id 1/],
      ['capacity dimensions', (p) => (p.jobs![0].delivery = [1, 2]), /jobs\[0\]\.delivery: has 2 dimensions/],
      ['matrix of the wrong size', (p) => (p.matrices!.car.durations = [[0]]), /matrices\.car\.durations/],
      ['location index out of range', (p) => (p.jobs![0].location_index = 5), /matrices\.car\.durations/],
      ['negative value', (p) => (p.jobs![0].service = -3), /jobs\[0\]\.service: must be at least 0/],
      ['bad time window', (p) => (p.jobs![0].time_windows = [[10, 5]]), /jobs\[0\]\.time_windows\[0\]: ends before it starts/],
      ['vehicle capacity mismatch', (p) => p.vehicles.push({ id: 2, start_index: 0, capacity: [1, 1] }), /vehicles\[1\]\.capacity/],
      ['no vehicles', (p) => (p.vehicles = []), /vehicles: must be a non-empty array/],
      ['ragged matrix', (p) => (p.matrices!.car.durations = [[0, 1], [1]]), /matrices\.car\.durations\[1\]/],
    ];
    for (const [name, mutate, message] of cases) {
      const p = base();
      mutate(p);
      assert.throws(
        () => solveVroom(p, FAST),
        (err: unknown) => err instanceof WaymarkError && err.code === 'InvalidValue' && message.test(err.message),
        name,
      );
    }
    // Unknown keys are refused, never ignored; VROOM fields Waymark lacks say so.
    const extra = { ...base(), unknown_key: 1 } as unknown as VroomProblem;
    assert.throws(() => solveVroom(extra, FAST), (e: WaymarkError) => e.code === 'UnknownField' && e.message.startsWith('unknown_key:'));
    const perType = base();
    (perType.jobs![0] as unknown as Record<string, unknown>).service_per_type = { van: 60 };
    assert.throws(() => solveVroom(perType, FAST), (e: WaymarkError) => e.code === 'UnsupportedField' && e.message.startsWith('jobs[0].service_per_type:'));
  });
});

describe('VRP on the map', () => {
  it('computes the matrix from coordinates on the loaded map, and the CLI prints VROOM output', async () => {
    const { map, path } = await monacoMap();
    const problem: VroomProblem = {
      vehicles: [{ id: 1, start: [7.4197, 43.7314], end: [7.4197, 43.7314], capacity: [4] }],
      jobs: [
        { id: 1, location: [7.4265, 43.739], delivery: [1], service: 60 },
        { id: 2, location: [7.4163, 43.7334], delivery: [1], service: 60 },
      ],
      shipments: [{ amount: [1], pickup: { id: 3, location: [7.43, 43.742] }, delivery: { id: 4, location: [7.418, 43.732] } }],
    };
    const { solution } = solveVroom(problem, { ...FAST, maps: { car: map.handle } });
    assert.equal(solution.summary.unassigned, 0);
    assert.ok(solution.summary.duration > 60, 'travel times come from the map');
    assert.ok(solution.summary.distance > 1000, 'distances come from the map');
    assert.ok(solution.routes[0].steps.every((s) => s.location && s.location.length === 2));
    const file = join(tempDir(), 'problem.json');
    writeFileSync(file, JSON.stringify(problem));
    const r = runCli(['vrp', file, '--map', path, '--time-limit', '0.3', '--geometry']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.code, 0);
    for (const key of ['cost', 'routes', 'unassigned', 'delivery', 'pickup', 'setup', 'service', 'duration', 'waiting_time', 'priority', 'distance', 'computing_times']) {
      assert.ok(key in out.summary, `summary.${key}`);
    }
    assert.equal(typeof out.routes[0].geometry, 'string');
    for (const key of ['type', 'arrival', 'duration', 'setup', 'service', 'waiting_time', 'load', 'distance']) assert.ok(key in out.routes[0].steps[1], `steps[].${key}`);
  });

  it('runs in a Piscina worker thread, as the server will call it', async () => {
    const { path } = await monacoMap();
    const pool = new Piscina({ filename: fileURLToPath(new URL('../src/workers/query-worker.js', import.meta.url)), maxThreads: 1 });
    try {
      const problem = { vehicles: [{ id: 1, start: [7.4197, 43.7314], end: [7.4197, 43.7314] }], jobs: [{ id: 1, location: [7.4265, 43.739] }, { id: 2, location: [7.4163, 43.7334] }] };
      const ok = await pool.run({ kind: 'vrp', maps: { car: path }, problem, options: { timeLimit: 0.2, geometry: true } });
      assert.equal(ok.ok, true);
      const solution = JSON.parse(ok.json);
      assert.equal(solution.summary.unassigned, 0);
      assert.equal(typeof solution.routes[0].geometry, 'string');
      const bad = await pool.run({ kind: 'vrp', maps: { car: path }, problem: { vehicles: [] }, options: {} });
      assert.deepEqual(bad, { ok: false, code: 'InvalidValue', message: 'vehicles: must be a non-empty array' });
    } finally {
      await pool.destroy();
    }
  });
});
