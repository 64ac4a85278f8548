/**
 * Vehicle steps, plan mode, refused fields and replanning, over real HTTP on 127.0.0.1 with the
 * real job stores (SQLite in a temp directory; PostgreSQL in a throw-away cluster). Every solution is
 * re-checked here with the independent checker besides the server's own check.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WaymarkServer } from '../src/server/app.js';
import { checkSolution } from '../src/vrp/checker.js';
import { parseProblem } from '../src/vrp/model.js';
import type { VroomSolution } from '../src/vrp/types.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monacoMap, runCli } from './helpers.js';
import { startPgCluster, type PgCluster } from './postgres-helpers.js';
import { getJson, postJson, startServer } from './server-helpers.js';

/** Locations on a line, 100 s apart; index 0 is the depot. */
function line(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => Math.abs(i - j) * 100));
}

function problem(extra: { vehicles?: Record<string, unknown>[]; jobs?: Record<string, unknown>[] } = {}) {
  return {
    vehicles: extra.vehicles ?? [
      { id: 1, start_index: 0, end_index: 0, capacity: [4], time_window: [0, 20000] },
      { id: 2, start_index: 0, end_index: 0, capacity: [4], time_window: [0, 20000] },
    ],
    jobs: extra.jobs ?? [1, 2, 3, 4, 5, 6].map((i) => ({ id: i, location_index: i, service: 10, delivery: [1] })),
    matrices: { car: { durations: line(9) } },
  };
}

function checked(body: Record<string, unknown>, solution: VroomSolution, mode: 'solve' | 'plan' = 'solve'): VroomSolution {
  const { options: _options, ...p } = body;
  const problems = checkSolution(parseProblem(p, undefined, false, mode), solution);
  assert.deepEqual(problems, [], 'the independent checker agrees');
  return solution;
}

const ids = (s: VroomSolution, vehicle: number) => s.routes.find((r) => r.vehicle === vehicle)?.steps.map((x) => `${x.type}${x.id ?? ''}`) ?? [];

async function request(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, { method, headers: { 'content-type': 'application/json', ...headers }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, json: (await res.json()) as any, headers: res.headers };
}

async function waitVersion(base: string, id: string, version: number, timeoutMs = 60_000): Promise<any> {
  const started = Date.now();
  for (;;) {
    const r = await getJson(base, `/vrp/jobs/${id}?version=${version}`);
    if (r.status === 200 && ['succeeded', 'failed', 'cancelled'].includes(r.json.status)) return r.json;
    if (Date.now() - started > timeoutMs) throw new Error(`version ${version} of ${id}: ${JSON.stringify(r.json)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

describe('VRP vehicle steps, plan mode and refused fields (POST /vrp)', () => {
  let server: WaymarkServer;
  let base: string;
  before(async () => {
    ({ server, base } = await startServer({ maxConcurrentSolves: 1 }));
  });
  after(() => server.close());

  it('honours steps as hard constraints: pinned vehicle, relative order, service bounds, breaks among them', async () => {
    const body = {
      ...problem({
        vehicles: [
          {
            id: 1,
            start_index: 0,
            end_index: 0,
            capacity: [4],
            time_window: [0, 20000],
            breaks: [{ id: 7, time_windows: [[0, 20000]], service: 60 }],
            steps: [{ type: 'start' }, { type: 'job', id: 6 }, { type: 'break', id: 7 }, { type: 'job', id: 1, service_at: 5000 }, { type: 'end', service_before: 9000 }],
          },
          { id: 2, start_index: 0, end_index: 0, capacity: [4], time_window: [0, 20000] },
        ],
      }),
      options: { time_limit: 0.5, seed: 1 },
    };
    const r = await postJson(base, '/vrp', body);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const s = checked(body, r.json);
    // Job 1 is nearest the depot, yet comes after job 6 and the break, at exactly 5000.
    const route = ids(s, 1);
    assert.ok(route.indexOf('job6') < route.indexOf('break7') && route.indexOf('break7') < route.indexOf('job1'), route.join(','));
    const job1 = s.routes.find((x) => x.vehicle === 1)!.steps.find((x) => x.type === 'job' && x.id === 1)!;
    assert.equal(job1.arrival + job1.waiting_time, 5000);
    assert.ok(s.routes.find((x) => x.vehicle === 1)!.steps.at(-1)!.arrival <= 9000);
    assert.deepEqual(s.summary.violations, []);
    // Without the steps, the solver does something else (the test can fail).
    const free = { ...problem(), options: { time_limit: 0.5, seed: 1 } };
    const f = (await postJson(base, '/vrp', free)).json as VroomSolution;
    assert.ok(!f.routes.some((x) => x.steps.some((y) => y.type === 'job' && y.id === 1 && y.arrival + y.waiting_time === 5000)));
  });

  it('refuses steps that cannot be honoured, naming the step', async () => {
    const bad = (steps: unknown[], jobs?: Record<string, unknown>[]) => ({
      ...problem({ vehicles: [{ id: 1, start_index: 0, end_index: 0, time_window: [0, 20000], steps }], ...(jobs ? { jobs } : {}) }),
      options: { time_limit: 0.2 },
    });
    let r = await postJson(base, '/vrp', bad([{ type: 'job', id: 42 }]));
    assert.equal(r.status, 400);
    assert.match(r.json.message, /^vehicles\[0\]\.steps\[0\]\.id: there is no job with id 42/);
    r = await postJson(base, '/vrp', bad([{ type: 'job', id: 1, service_at: 50 }], [{ id: 1, location_index: 1, time_windows: [[1000, 2000]] }]));
    assert.equal(r.status, 400);
    assert.match(r.json.message, /^vehicles\[0\]\.steps\[0\]: its service bounds \[50, 50\] lie outside every time window of job 1/);
    // Possible bounds, impossible together: job 2 at 100 cannot follow job 1 at 1000.
    r = await postJson(base, '/vrp', bad([{ type: 'job', id: 1, service_at: 1000 }, { type: 'job', id: 2, service_before: 100 }]));
    assert.equal(r.status, 400, JSON.stringify(r.json));
    assert.match(r.json.message, /^vehicles\[0\]\.steps\[\d\]: job \d cannot be served by vehicle 1 with every step it lists/);
  });

  it('plan mode reports each kind of violation per step and per route, without optimising', async () => {
    const body = {
      vehicles: [
        {
          id: 1,
          start_index: 0,
          end_index: 0,
          capacity: [2],
          skills: [1],
          time_window: [100, 1500],
          max_tasks: 2,
          max_travel_time: 800,
          max_distance: 10,
          breaks: [
            { id: 1, time_windows: [[0, 20000]], service: 10, max_load: [0] },
            { id: 2, time_windows: [[0, 20000]], service: 10 },
          ],
          steps: [
            { type: 'start', service_at: 50 },
            { type: 'job', id: 3 },
            { type: 'break', id: 1 },
            { type: 'job', id: 1 },
            { type: 'delivery', id: 11 },
            { type: 'pickup', id: 12 },
            { type: 'job', id: 2, service_before: 2000 },
            { type: 'end' },
          ],
        },
      ],
      jobs: [
        { id: 1, location_index: 1, service: 10, delivery: [2], time_windows: [[0, 100]] },
        { id: 2, location_index: 2, service: 10, delivery: [1], skills: [2], time_windows: [[5000, 6000]] },
        { id: 3, location_index: 3, service: 10, delivery: [0] },
        { id: 4, location_index: 4 },
      ],
      shipments: [
        { pickup: { id: 11, location_index: 5 }, delivery: { id: 11, location_index: 6 }, amount: [1] },
        { pickup: { id: 12, location_index: 7 }, delivery: { id: 12, location_index: 8 }, amount: [1] },
      ],
      matrices: { car: { durations: line(9), distances: line(9) } },
      options: { mode: 'plan' },
    };
    const r = await postJson(base, '/vrp', body);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const s = checked(body, r.json, 'plan');
    const route = s.routes[0];
    // The order is the steps' own, although it is a poor route.
    assert.deepEqual(ids(s, 1), ['start', 'job3', 'break1', 'job1', 'delivery11', 'pickup12', 'job2', 'end']);
    const causes = (i: number) => route.steps[i].violations.map((v) => (v.duration === undefined ? v.cause : `${v.cause}:${v.duration}`)).sort();
    assert.deepEqual(causes(0), ['lead_time:50', 'load']); // starts at 50 (service_at) before the window opens at 100; 3 units for capacity 2
    assert.deepEqual(causes(2), ['load', 'max_load']); // the break (360) happens with 3 on board: over capacity, max_load 0
    assert.deepEqual(causes(3), ['delay:470']); // job 1 at 570 for a window ending at 100
    assert.deepEqual(causes(4), ['max_tasks', 'precedence']); // the third task (max 2); delivery 11 without its pickup
    assert.deepEqual(causes(5), ['max_tasks', 'precedence']); // pickup 12 without its delivery
    assert.deepEqual(causes(6), ['lead_time:3000', 'max_tasks', 'skills']); // job 2 held to 2000 by service_before, window opens 5000; lacks skill 2
    assert.deepEqual(causes(7), ['delay:710']); // back at 2210, window ends 1500
    const routeCauses = route.violations.map((v) => v.cause);
    for (const c of ['lead_time', 'delay', 'load', 'max_tasks', 'skills', 'precedence', 'missing_break', 'max_travel_time', 'max_load', 'max_distance']) {
      assert.ok(routeCauses.includes(c as never), `route violations include ${c}: ${JSON.stringify(route.violations)}`);
    }
    assert.equal(route.violations.find((v) => v.cause === 'delay')!.duration, 470 + 710);
    assert.equal(route.violations.find((v) => v.cause === 'lead_time')!.duration, 50 + 3000);
    assert.deepEqual(s.summary.violations, route.violations);
    // Job 4 is in no steps: unassigned, NotPlanned.
    assert.deepEqual(s.unassigned.map((u) => [u.id, u.code]), [[4, 'NotPlanned'], [11, 'NotPlanned'], [12, 'NotPlanned']]);
  });

  it('waymark vrp --plan (-c) prints the plan with its violations; bench vrp --road --times solves at each limit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'waymark-plan-'));
    try {
      const file = join(dir, 'plan.json');
      const body = problem({ vehicles: [{ id: 1, start_index: 0, end_index: 0, capacity: [1], steps: [{ type: 'job', id: 2 }, { type: 'job', id: 1 }] }] });
      writeFileSync(file, JSON.stringify(body));
      const r = runCli(['vrp', file, '-c']);
      assert.equal(r.status, 0, r.stderr);
      const s = checked(body, JSON.parse(r.stdout), 'plan');
      assert.deepEqual(ids(s, 1), ['start', 'job2', 'job1', 'end'], 'the given order, not the better 1, 2');
      assert.deepEqual(s.summary.violations, [{ cause: 'load' }]);
      assert.equal(s.summary.unassigned, 4);
      // Without -c the steps are hard constraints, which this vehicle cannot meet (2 units, capacity 1).
      const solved = runCli(['vrp', file, '--time-limit', '0.2']);
      assert.notEqual(solved.status, 0);
      assert.match(solved.stderr, /vehicles\[0\]\.steps\[\d\]: job \d cannot be served by vehicle 1/);
      const { path } = await monacoMap();
      const bench = runCli(['bench', 'vrp', '--road', path, '--jobs', '20', '--vehicles', '2', '--times', '0.1,0.3', '--off-road', '0', '--write-problems', dir, '--json']);
      assert.equal(bench.status, 0, bench.stderr);
      const rows = JSON.parse(bench.stdout);
      assert.deepEqual(rows.map((x: { time_limit_s: number }) => x.time_limit_s), [0.1, 0.3]);
      for (const row of rows) assert.ok(row.cpu_s >= 0 && row.cost > 0);
      const written = JSON.parse(readFileSync(join(dir, 'monaco.car-20-seed1.json'), 'utf8'));
      // One row per distinct place: 20 stops and the depot (which may be one of the stops).
      const places = new Set([...written.jobs.map((j: { location: number[] }) => String(j.location)), String(written.vehicles[0].start)]).size;
      assert.equal(written.matrices.car.durations.length, places);
      assert.equal(typeof written.jobs[0].location_index, 'number');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses what VROOM accepts but Waymark does not, and unknown fields, naming them', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ ...problem(), jobs: [{ id: 1, location_index: 1, service_per_type: { van: 10 } }] }, 'UnsupportedField', /^jobs\[0\]\.service_per_type:/],
      [{ ...problem(), jobs: [{ id: 1, location_index: 1, setup_per_type: { van: 10 } }] }, 'UnsupportedField', /^jobs\[0\]\.setup_per_type:/],
      [{ ...problem(), matrix: line(9) }, 'UnsupportedField', /^matrix:/],
      [{ ...problem(), jobs: [{ id: 1, location_index: 1, colour: 'red' }] }, 'UnknownField', /^jobs\[0\]\.colour:/],
      [{ ...problem({ vehicles: [{ id: 1, start_index: 0, costs: { per_minute: 1 } }] }) }, 'UnknownField', /^vehicles\[0\]\.costs\.per_minute:/],
      [{ ...problem({ vehicles: [{ id: 1, start_index: 0, steps: [{ type: 'job', id: 1, arrival: 3 }] }] }) }, 'UnknownField', /^vehicles\[0\]\.steps\[0\]\.arrival:/],
      [{ ...problem({ vehicles: [{ id: 1, start_index: 0, costs: { per_hour: 7200 } }] }), matrices: { car: { durations: line(9), costs: line(9) } } }, 'InvalidValue', /^vehicles\[0\]\.costs\.per_hour: contradicts matrices\.car\.costs/],
      [{ ...problem(), options: { mode: 'check' } }, 'InvalidValue', /mode/],
    ];
    for (const [body, code, message] of cases) {
      const r = await postJson(base, '/vrp', body);
      assert.equal(r.status, 400, JSON.stringify(r.json));
      assert.equal(r.json.code, code, r.json.message);
      assert.match(r.json.message, message);
    }
  });

  it('honours breaks\' max_load and per_task_hour when solving', async () => {
    const body = {
      ...problem({
        vehicles: [
          { id: 1, start_index: 0, end_index: 0, capacity: [6], time_window: [0, 20000], costs: { per_task_hour: 36000 }, breaks: [{ id: 1, time_windows: [[0, 20000]], service: 30, max_load: [2] }] },
        ],
      }),
      options: { time_limit: 0.5 },
    };
    const r = await postJson(base, '/vrp', body);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const s = checked(body, r.json);
    const steps = s.routes[0].steps;
    const brk = steps.find((x) => x.type === 'break')!;
    assert.ok(brk.load[0] <= 2, `break with load ${brk.load}`);
    // Six tasks of 10 s at 36000 per task hour: 100 each on top of travel.
    assert.equal(s.routes[0].cost, s.routes[0].duration + 600);
  });
});

describe('waymark bench replan', () => {
  it('--cpu-time budgets every solve; --reuse reads the plan and the from-scratch solve back, so only the replan is solved again', async () => {
    const { path } = await monacoMap();
    const dir = mkdtempSync(join(tmpdir(), 'waymark-bench-replan-'));
    try {
      const args = ['bench', 'replan', '--road', path, '--jobs', '40', '--vehicles', '4', '--base-time', '0.3', '--replan-time', '0.2', '--scratch-time', '0.3', '--cpu-time', '--threads', '2', '--reuse', dir, '--replans', '2', '--json'];
      type Row = { what: string; cost: number; routes: number; cpu_s: number; wall_s: number; iterations: number; stop_reason: string };
      type Out = { new_orders: number; cpu_time: boolean; plan: Row; rows: Row[]; replan_vs_scratch_pct: number; replans_vs_scratch_pct: number[]; replan_vs_scratch_max_pct: number };
      const first = runCli(args);
      assert.equal(first.status, 0, first.stderr);
      const a = JSON.parse(first.stdout) as Out;
      assert.equal(a.cpu_time, true);
      assert.equal(a.new_orders, 2);
      // 0.3 s x 2 threads: at least 0.6 CPU-seconds of search for a plan stopped by its limit (42
      // tasks may also converge before it).
      assert.ok(['time_limit', 'converged'].includes(a.plan.stop_reason), a.plan.stop_reason);
      if (a.plan.stop_reason === 'time_limit') assert.ok(a.plan.cpu_s >= 0.55, `${a.plan.cpu_s} CPU-s`);
      for (const r of [a.plan, ...a.rows]) assert.ok(r.cost > 0 && r.iterations > 0 && typeof r.stop_reason === 'string');
      // --replans 2: two replans of the same warm start, then from scratch; their gaps, mean and max.
      assert.equal(a.rows.length, 3);
      const scratchCost = a.rows[2].cost;
      const gaps = a.rows.slice(0, 2).map((r) => Math.round((r.cost / scratchCost - 1) * 100 * 100) / 100);
      assert.deepEqual(a.replans_vs_scratch_pct, gaps);
      assert.equal(a.replan_vs_scratch_max_pct, Math.max(...gaps));
      assert.ok(Math.abs(a.replan_vs_scratch_pct - (gaps[0] + gaps[1]) / 2) <= 0.01, `${a.replan_vs_scratch_pct}`);
      const second = runCli(args);
      assert.equal(second.status, 0, second.stderr);
      const b = JSON.parse(second.stdout) as Out;
      // Read back, not solved again: the very same figures, wall and CPU seconds included.
      assert.deepEqual(b.plan, a.plan);
      assert.deepEqual(b.rows[2], a.rows[2]);
      // --scratch-runs 2: the first from-scratch solve read back, a second one (next solver seed)
      // solved, and the replans also measured against the mean of the two.
      type OutMean = Out & { scratch_mean_cost: number; replan_vs_scratch_mean_pct: number; replans_vs_scratch_mean_pct: number[] };
      const twice = runCli([...args, '--scratch-runs', '2']);
      assert.equal(twice.status, 0, twice.stderr);
      const m = JSON.parse(twice.stdout) as OutMean;
      assert.equal(m.rows.length, 4);
      assert.deepEqual({ ...m.rows[2], what: 'from scratch' }, a.rows[2]);
      assert.equal(m.rows[2].what, 'from scratch #1');
      assert.ok(m.rows[3].cost > 0 && m.rows[3].iterations > 0);
      const mean = (m.rows[2].cost + m.rows[3].cost) / 2;
      assert.ok(Math.abs(m.scratch_mean_cost - mean) <= 0.01, `${m.scratch_mean_cost} vs ${mean}`);
      const meanGaps = m.rows.slice(0, 2).map((r) => Math.round((r.cost / mean - 1) * 100 * 100) / 100);
      assert.deepEqual(m.replans_vs_scratch_mean_pct, meanGaps);
      assert.ok(Math.abs(m.replan_vs_scratch_mean_pct - (meanGaps[0] + meanGaps[1]) / 2) <= 0.01, `${m.replan_vs_scratch_mean_pct}`);
      const refusedRuns = runCli([...args, '--scratch-runs', '0']);
      assert.notEqual(refusedRuns.status, 0);
      assert.match(refusedRuns.stderr, /--scratch-runs must be an integer of at least 1/);
      const refused = runCli(args.map((x, i) => (args[i - 1] === '--replans' ? '0' : x)));
      assert.notEqual(refused.status, 0);
      assert.match(refused.stderr, /--replans must be an integer of at least 1/);
      // --replan-iterations: each replan thread stops at that many iterations, with no exchange, so
      // two runs give the same replan whatever the load (the limit of 0.2 s x 2 CPU-s is far off).
      const capped = [...args.map((x, i) => (args[i - 1] === '--replans' ? '1' : x)), '--replan-iterations', '150'];
      const c1 = JSON.parse(runCli(capped).stdout) as Out;
      const c2 = JSON.parse(runCli(capped).stdout) as Out;
      assert.equal(c1.rows.length, 2);
      assert.equal(c1.rows[0].stop_reason, 'iterations');
      assert.equal(c1.rows[0].iterations, 300);
      assert.deepEqual([c2.rows[0].cost, c2.rows[0].routes, c2.rows[0].iterations], [c1.rows[0].cost, c1.rows[0].routes, c1.rows[0].iterations]);
      // --plans 2: the days of seeds 1 and 2 on one map build, each as with --seed alone (capped
      // replans: the same costs), and the mean over all four replans.
      type Days = { plans: number; seeds: number[]; days: Out[]; replan_vs_scratch_pct: number; replan_vs_scratch_max_pct: number; replan_vs_scratch_mean_pct: number };
      const twoDays = runCli([...capped, '--plans', '2']);
      assert.equal(twoDays.status, 0, twoDays.stderr);
      const d = JSON.parse(twoDays.stdout) as Days;
      assert.equal(d.plans, 2);
      assert.deepEqual(d.seeds, [1, 2]);
      const c3 = JSON.parse(runCli([...capped, '--seed', '2']).stdout) as Out;
      const figures = (o: Out) => o.rows.map((r) => [r.what, r.cost, r.routes, r.iterations]);
      assert.deepEqual(figures(d.days[0]), figures(c1));
      assert.deepEqual(figures(d.days[1]), figures(c3));
      const every = [...d.days[0].replans_vs_scratch_pct, ...d.days[1].replans_vs_scratch_pct];
      assert.equal(every.length, 2);
      assert.ok(Math.abs(d.replan_vs_scratch_pct - (every[0] + every[1]) / 2) <= 0.01, `${d.replan_vs_scratch_pct} vs ${every}`);
      assert.equal(d.replan_vs_scratch_max_pct, Math.max(...every));
      const refusedPlans = runCli([...args, '--plans', '0']);
      assert.notEqual(refusedPlans.status, 0);
      assert.match(refusedPlans.stderr, /--plans must be an integer of at least 1/);
      const refusedCap = runCli([...args, '--replan-iterations', '0']);
      assert.notEqual(refusedCap.status, 0);
      assert.match(refusedCap.stderr, /--replan-iterations must be an integer of at least 1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

for (const store of ['SQLite', 'PostgreSQL'] as const) {
  describe(`VRP replan (POST /vrp/jobs/{id}/replan), ${store} job store`, () => {
    let server: WaymarkServer;
    let base: string;
    let cluster: PgCluster | undefined;
    before(async () => {
      if (store === 'PostgreSQL') cluster = await startPgCluster();
      ({ server, base } = await startServer({ maxConcurrentSolves: 1, ...(cluster ? { jobsUrl: cluster.url } : {}) }));
    });
    after(async () => {
      await server.close();
      cluster?.destroy();
    });

    it('stores a new version from the previous plan, with done and in-progress stops fixed, idempotent by key', async () => {
      const original = { ...problem(), options: { time_limit: 0.5, seed: 2 } };
      const submitted = await request(base, 'POST', '/vrp/jobs', original);
      assert.equal(submitted.status, 202);
      const id = submitted.json.id as string;
      const v1 = await waitVersion(base, id, 1);
      assert.equal(v1.status, 'succeeded', JSON.stringify(v1.error));
      assert.equal(v1.version, 1);
      const plan1 = v1.solution as VroomSolution;
      // Vehicle with the most stops: its first stop is done, its second in progress.
      const busy = [...plan1.routes].sort((a, b) => b.steps.length - a.steps.length)[0];
      const tasks = busy.steps.filter((x) => x.type === 'job');
      const [doneStop, current] = tasks;
      const cancelled = plan1.routes.flatMap((r) => r.steps).find((x) => x.type === 'job' && x.id !== doneStop.id && x.id !== current.id)!.id!;
      const now = current.arrival;
      const replan = {
        jobs: [{ id: 100, location_index: 8, service: 10, delivery: [1] }],
        cancelled: { jobs: [cancelled] },
        vehicles: [{ id: busy.vehicle, position_index: current.location_index, time: now, done: [{ type: 'job', id: doneStop.id }], in_progress: { type: 'job', id: current.id } }],
      };
      const key = `replan-${store}`;
      const r = await request(base, 'POST', `/vrp/jobs/${id}/replan`, replan, { 'idempotency-key': key });
      assert.equal(r.status, 202, JSON.stringify(r.json));
      assert.deepEqual([r.json.id, r.json.version], [id, 2]);
      assert.equal(r.headers.get('location'), `/vrp/jobs/${id}?version=2`);
      // Same key, same body: the same version; other body: 422.
      const again = await request(base, 'POST', `/vrp/jobs/${id}/replan`, replan, { 'idempotency-key': key });
      assert.equal(again.status, 202);
      assert.equal(again.json.version, 2);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      const other = await request(base, 'POST', `/vrp/jobs/${id}/replan`, { ...replan, jobs: [] }, { 'idempotency-key': key });
      assert.equal(other.status, 422);
      const v2 = await waitVersion(base, id, 2);
      assert.equal(v2.status, 'succeeded', JSON.stringify(v2.error));
      const plan2 = v2.solution as VroomSolution;
      // The latest version is the default; version 1 is still there, unchanged.
      assert.equal((await getJson(base, `/vrp/jobs/${id}`)).json.version, 2);
      assert.deepEqual((await getJson(base, `/vrp/jobs/${id}?version=1`)).json.solution.routes, plan1.routes);
      assert.equal((await getJson(base, `/vrp/jobs/${id}?version=3`)).status, 404);
      const served = plan2.routes.flatMap((x) => x.steps).filter((x) => x.type === 'job').map((x) => x.id);
      assert.ok(served.includes(100), 'the new order is planned');
      assert.ok(!served.includes(cancelled), 'the cancelled order is gone');
      assert.ok(!served.includes(doneStop.id), 'the done stop left the plan');
      // The stop in progress is first on its vehicle, now, where the vehicle is.
      const route = plan2.routes.find((x) => x.vehicle === busy.vehicle)!;
      assert.equal(route.steps[0].arrival, now);
      assert.equal(route.steps[1].id, current.id);
      assert.equal(route.steps[1].arrival + route.steps[1].waiting_time, now);
      // The stored problem of version 2 re-checks against its solution.
      const stored = (await getJson(base, `/vrp/jobs/${id}?version=2`)).json;
      assert.equal(stored.version, 2);
      // A second replan builds on version 2; errors name the field.
      const bad = await request(base, 'POST', `/vrp/jobs/${id}/replan`, { cancelled: { jobs: [cancelled] } });
      assert.equal(bad.status, 400);
      assert.match(bad.json.message, /^cancelled\.jobs\[0\]: there is no job/);
      const unknown = await request(base, 'POST', `/vrp/jobs/${id}/replan`, { vehicles: [{ id: busy.vehicle, time: now, position_index: 0, speed: 3 }] });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.json.code, 'UnknownField');
      const v3 = await request(base, 'POST', `/vrp/jobs/${id}/replan`, { jobs: [{ id: 101, location_index: 7, delivery: [1] }], options: { time_limit: 0.3 } });
      assert.equal(v3.status, 202);
      assert.equal(v3.json.version, 3);
      const s3 = (await waitVersion(base, id, 3)).solution as VroomSolution;
      const route3 = s3.routes.find((x) => x.vehicle === busy.vehicle)!;
      assert.equal(route3.steps[1].id, current.id, 'the in-progress stop stays fixed through later versions');
      assert.ok(s3.routes.flatMap((x) => x.steps).some((x) => x.type === 'job' && x.id === 101));
      assert.equal((await request(base, 'POST', `/vrp/jobs/00000000-0000-4000-8000-000000000000/replan`, {})).status, 404);
    });
  });
}
