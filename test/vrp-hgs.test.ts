/**
 * The hybrid genetic search (native/vrp/algorithms/hgs.cc): its solutions on real benchmark
 * instances (CVRPLIB X, Solomon, Li & Lim, in test/fixtures/vrp) and on Waymark's own variants
 * (time windows, shipments, skills, breaks, pinned vehicle steps, a mixed fleet) pass the
 * independent checker and come close to the best-known solutions; a seed and an iteration cap give
 * the same answer twice; the CPU-time budget and the search choice are validated.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readInstance } from '../bench/vrp-instances.js';
import { WaymarkError } from '../src/errors.js';
import { checkSolution } from '../src/vrp/checker.js';
import { solveVroom, type SolveOptions } from '../src/vrp/solve.js';
import type { VroomProblem } from '../src/vrp/types.js';
import { runCli } from './helpers.js';

const fixtures = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'test', 'fixtures', 'vrp');

function solveChecked(problem: VroomProblem, options: SolveOptions) {
  const result = solveVroom(problem, options);
  assert.deepEqual(checkSolution(result.model, result.solution), [], 'the independent checker accepts the solution');
  return result;
}

// Iteration caps (SISR iterations per thread, education included) make the answers independent of
// the machine's speed and load; the wall-clock limit is only a guard.
const HGS: SolveOptions = { search: 'hgs', seed: 1, threads: 2, timeLimit: 600 };

describe('VRP hybrid genetic search', () => {
  it('X-n101-k25 (CVRP): checker-clean and within 1 % of the best-known 27,591', () => {
    const inst = readInstance(join(fixtures, 'X-n101-k25.vrp'));
    const { solution } = solveChecked(inst.problem, { ...HGS, maxIterations: 40_000 });
    const cost = inst.cost(solution);
    assert.equal(solution.summary.unassigned, 0);
    assert.ok(cost <= 27_591 * 1.01, `cost ${cost}`);
    assert.ok(cost >= 27_591, `cost ${cost} below the best-known (the cost convention or the checker is off)`);
  });

  it('penalised education (soft capacities): the self-checks hold and what comes back is feasible', () => {
    // verifyFastPath turns on HGS's self-checks: a feasible child evaluated with soft capacities and
    // time windows has no excess and the same cost (its penalised cost is its cost), and a child
    // the penalised local search leaves within the limits is feasible by the exact evaluation with
    // that cost; a failed check throws (Internal). Capacities cut to 60 % make the search cross
    // infeasible space often (the X instances have a vehicle per customer, so all stay servable).
    const inst = readInstance(join(fixtures, 'X-n101-k25.vrp'));
    const tight = structuredClone(inst.problem);
    for (const v of tight.vehicles) v.capacity = v.capacity!.map((c) => Math.floor(c * 0.6));
    const { solution } = solveChecked(tight, { ...HGS, maxIterations: 25_000, verifyFastPath: true });
    assert.equal(solution.summary.unassigned, 0);
    const capacity = tight.vehicles[0].capacity![0];
    for (const r of solution.routes) assert.ok(r.delivery[0] <= capacity, `route of vehicle ${r.vehicle} carries ${r.delivery[0]} > ${capacity}`);
  });

  it('local search on route segments: every O(1) answer matches the exact evaluation (X capacity, Solomon time windows)', () => {
    // verifyFastPath re-evaluates every move the operators judge from cached route segments (cost,
    // capacity, time windows, limits) exactly and throws (Internal) on any disagreement; SISR runs
    // the hard local search on the first solution and on the result. The penalised (soft) local
    // search is checked the same way by the HGS tests with verifyFastPath.
    for (const name of ['X-n101-k25.vrp', 'RC105.txt']) {
      const inst = readInstance(join(fixtures, name));
      const { solution } = solveChecked(inst.problem, { ...HGS, search: 'sisr', threads: 1, maxIterations: 3_000, verifyFastPath: true });
      assert.equal(solution.summary.unassigned, 0, name);
    }
  });

  it('is reproducible with a seed and an iteration cap, and the seed matters', () => {
    const inst = readInstance(join(fixtures, 'X-n101-k25.vrp'));
    const run = (seed: number) => solveChecked(inst.problem, { ...HGS, seed, maxIterations: 3_000 }).solution;
    const a = run(5), b = run(5), c = run(6);
    const routes = (s: typeof a) => s.routes.map((r) => r.steps.map((x) => x.id));
    assert.deepEqual(routes(a), routes(b));
    assert.equal(a.summary.cost, b.summary.cost);
    assert.notDeepEqual(routes(a), routes(c));
  });

  it('Solomon RC105 (time windows): checker-clean, every customer served, within 3 % of the best-known distance', () => {
    const inst = readInstance(join(fixtures, 'RC105.txt'));
    const { solution } = solveChecked(inst.problem, { ...HGS, maxIterations: 25_000, verifyFastPath: true });
    assert.equal(solution.summary.unassigned, 0);
    const cost = inst.cost(solution);
    assert.ok(cost <= 1518.58 * 1.03, `distance ${cost.toFixed(2)}`);
  });

  it('Li & Lim lr104 (shipments with time windows): checker-clean, every shipment served, near the best-known 9 vehicles / 1,013.39', () => {
    const inst = readInstance(join(fixtures, 'lr104.txt'));
    const { solution } = solveChecked(inst.problem, { ...HGS, maxIterations: 20_000 });
    assert.equal(solution.summary.unassigned, 0);
    const cost = inst.cost(solution);
    assert.ok(solution.summary.routes <= 10, `${solution.summary.routes} vehicles`);
    assert.ok(cost <= 1013.39 * 1.05, `distance ${cost.toFixed(2)}`);
  });

  it("Waymark's variants: time windows, shipments, skills, breaks, pinned steps and a mixed fleet stay feasible through crossover and repair", () => {
    // Deterministic pseudo-random instance.
    let state = 12345;
    const rand = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const n = 71;
    const pts: [number, number][] = Array.from({ length: n }, () => [Math.round(rand() * 100), Math.round(rand() * 100)]);
    pts[0] = [50, 50];
    const durations = pts.map((a) => pts.map((b) => Math.round(Math.hypot(a[0] - b[0], a[1] - b[1]))));
    const window = (): [number, number] => {
      const open = Math.round(rand() * 500);
      return [open, open + 150 + Math.round(rand() * 300)];
    };
    const jobs = Array.from({ length: 50 }, (_, i) => ({
      id: i + 1,
      location_index: i + 1,
      service: 3,
      delivery: [1 + (i % 3)],
      time_windows: [window()],
      ...(i % 7 === 0 ? { skills: [1] } : {}),
    }));
    const shipments = Array.from({ length: 10 }, (_, i) => ({
      amount: [2],
      pickup: { id: 100 + i, location_index: 51 + 2 * i, service: 2 },
      delivery: { id: 100 + i, location_index: 52 + 2 * i, service: 2, time_windows: [[0, 1000]] as [number, number][] },
      ...(i % 4 === 0 ? { skills: [2] } : {}),
    }));
    const vehicles = [
      // Pinned steps: jobs 2 then 3 on vehicle 1, in that order.
      { id: 1, start_index: 0, end_index: 0, capacity: [30], skills: [1, 2], time_window: [0, 1200] as [number, number], steps: [{ type: 'start' as const }, { type: 'job' as const, id: 2 }, { type: 'job' as const, id: 3 }, { type: 'end' as const }] },
      { id: 2, start_index: 0, end_index: 0, capacity: [30], skills: [1], time_window: [0, 1200] as [number, number], breaks: [{ id: 1, time_windows: [[200, 400]] as [number, number][], service: 30 }] },
      { id: 3, start_index: 0, end_index: 0, capacity: [30], skills: [2], time_window: [0, 1200] as [number, number] },
      { id: 4, start_index: 0, end_index: 0, capacity: [20], time_window: [0, 1200] as [number, number] },
      { id: 5, start_index: 0, end_index: 0, capacity: [20], time_window: [0, 1200] as [number, number] },
      { id: 6, start_index: 0, end_index: 0, capacity: [20], time_window: [0, 1200] as [number, number], costs: { fixed: 50 } },
    ];
    const problem = { vehicles, jobs, shipments, matrices: { car: { durations } } } as unknown as VroomProblem;
    const { solution } = solveChecked(problem, { ...HGS, maxIterations: 6_000, verifyFastPath: true });
    const v1 = solution.routes.find((r) => r.vehicle === 1)!;
    const pinned = v1.steps.filter((s) => s.type === 'job' && (s.id === 2 || s.id === 3)).map((s) => s.id);
    assert.deepEqual(pinned, [2, 3], 'the pinned jobs stay on their vehicle, in their order');
    assert.ok(solution.routes.find((r) => r.vehicle === 2)?.steps.some((s) => s.type === 'break') ?? true, 'a used vehicle with a break takes it');
    // The genetic search serves at least as many tasks as SISR given the same iterations.
    const sisr = solveChecked(problem, { ...HGS, search: 'sisr', maxIterations: 6_000 }).solution;
    assert.ok(solution.summary.unassigned <= sisr.summary.unassigned, `${solution.summary.unassigned} vs ${sisr.summary.unassigned} unassigned`);
  });

  it('the portfolio (SISR and HGS threads) is checker-clean too; a bad search kind is refused', () => {
    const inst = readInstance(join(fixtures, 'RC105.txt'));
    const { solution } = solveChecked(inst.problem, { ...HGS, search: 'portfolio', maxIterations: 5_000 });
    assert.equal(solution.summary.unassigned, 0);
    assert.throws(
      () => solveVroom(inst.problem, { ...HGS, search: 'genetic' as 'hgs', maxIterations: 10 }),
      (err: unknown) => err instanceof WaymarkError && err.code === 'InvalidValue' && /search must be/.test(err.message),
    );
  });

  it('waymark bench vrp --cpu-time --search: cost and CPU seconds per instance; a bad --search is refused', () => {
    const file = join(fixtures, 'X-n101-k25.vrp');
    const bks = join(fixtures, 'no-bks.csv');  // absent: no gap, the figures still print
    const r = runCli(['bench', 'vrp', file, '--time-limit', '0.3', '--cpu-time', '--threads', '2', '--search', 'hgs', '--run-to-time-limit', '--bks', bks, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { instances: { name: string; cost: number; cpu_seconds: number; stop: string }[] };
    assert.equal(out.instances[0].name, 'X-n101-k25');
    assert.equal(out.instances[0].stop, 'time_limit');
    // 0.3 s x 2 threads: at least 0.6 CPU-seconds of search.
    assert.ok(out.instances[0].cpu_seconds >= 0.55, `${out.instances[0].cpu_seconds} CPU-s`);
    assert.ok(out.instances[0].cost >= 27_591);
    const bad = runCli(['bench', 'vrp', file, '--search', 'annealing']);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /--search must be sisr, hgs or portfolio/);
  });

  it('a CPU-time budget stops the search by CPU seconds (about time limit x threads)', () => {
    const inst = readInstance(join(fixtures, 'X-n101-k25.vrp'));
    const before = process.cpuUsage();
    const { solution } = solveChecked(inst.problem, { search: 'hgs', seed: 1, threads: 2, timeLimit: 0.5, cpuTimeLimit: true, runToTimeLimit: true });
    const used = process.cpuUsage(before);
    const cpu = (used.user + used.system) / 1e6;
    assert.equal(solution.summary.search.stop_reason, 'time_limit');
    // 0.5 s x 2 threads = 1 CPU-second of search (plus set-up and the checker), whatever the load.
    assert.ok(cpu >= 0.9 && cpu < 3, `${cpu.toFixed(2)} CPU-s`);
  });
});
