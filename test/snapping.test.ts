/**
 * Snapping as OSRM's (no distance cap unless radiuses say so, per-coordinate radiuses on /table,
 * OSRM's NoSegment wording) and VRP on real addresses: off-road stops snap and are reported, a stop
 * that cannot be placed goes to `unassigned` with its code, a depot that cannot be placed is a 400
 * naming the vehicle, pairs without a route are never used, and the checker re-validates it all.
 * All on the real Monaco extract, through the real pipeline (native core, CLI, HTTP).
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { native } from '../src/native/index.js';
import { routeOnMap, type LonLat } from '../src/routing/route.js';
import type { WaymarkServer } from '../src/server/app.js';
import { checkSolution } from '../src/vrp/checker.js';
import { parseProblem, type MatrixProvider } from '../src/vrp/model.js';
import { mapMatrixProvider, solveModel, solveVroom } from '../src/vrp/solve.js';
import type { VroomProblem, VroomSolution } from '../src/vrp/types.js';
import { monacoMap, runCli, tempDir } from './helpers.js';
import { getJson, postJson, startServer } from './server-helpers.js';

const DEPOT: LonLat = [7.4197, 43.7314];
const B: LonLat = [7.4265, 43.739];
const C: LonLat = [7.4163, 43.7334];
/** At sea off Monaco: inside the map's area, 1.0–2.0 km from the nearest road (asserted below). */
const OFF_ROAD: LonLat = [7.425, 43.713];
const PARIS: LonLat = [2.35, 48.85];
const FAST = { timeLimit: 0.3, seed: 3, threads: 2 };

function deliveryDay(extra: Partial<VroomProblem> = {}): VroomProblem {
  return {
    vehicles: [{ id: 1, start: DEPOT, end: DEPOT, capacity: [10], time_window: [0, 36000] }],
    jobs: [
      { id: 1, location: B, delivery: [1], service: 60 },
      { id: 2, location: C, delivery: [1], service: 60 },
      { id: 3, location: OFF_ROAD, delivery: [1], service: 60 },
    ],
    ...extra,
  };
}

function stepOf(solution: VroomSolution, id: number) {
  return solution.routes.flatMap((r) => r.steps).find((s) => s.type === 'job' && s.id === id);
}

describe('snapping defaults as OSRM', () => {
  it('snaps with no distance cap by default, and a radius makes it strict with OSRM wording', async () => {
    const { map } = await monacoMap();
    const [far] = native.snap(map.handle, Float64Array.from(OFF_ROAD));
    assert.ok(far.distance > 1000 && far.distance < 2000, `the off-road point lies ${far.distance} m from the road`);
    const route = routeOnMap(map.handle, { coordinates: [DEPOT, OFF_ROAD] });
    assert.ok(route.waypoints[1].distance > 1000);
    assert.throws(
      () => native.route(map.handle, Float64Array.from([...DEPOT, ...OFF_ROAD]), { radius: 1000 }),
      (err: Error & { code?: string }) => err.code === 'NoSegment' && /^Could not find a matching segment for coordinate 1 \(.*no road within 1000 m$/.test(err.message),
    );
    // Outside the map's area nothing snaps, radius or not.
    assert.throws(
      () => native.snap(map.handle, Float64Array.from(PARIS)),
      (err: Error & { code?: string }) => err.code === 'NoSegment' && /coordinate 0 .*outside the map's area/.test(err.message),
    );
    // Lenient snapping reports each failure in place.
    const lenient = native.snap(map.handle, Float64Array.from([...B, ...PARIS, ...OFF_ROAD]), { radius: 1000, lenient: true });
    assert.ok('location' in lenient[0]);
    assert.ok('error' in lenient[1] && /outside the map's area/.test(lenient[1].error.message));
    assert.ok('error' in lenient[2] && /coordinate 2 .*no road within 1000 m/.test(lenient[2].error.message));
  });

  it('a matrix honours each point its own radius, sources and destinations alike', async () => {
    const { map } = await monacoMap();
    const pts = [DEPOT, OFF_ROAD, B];
    const unlimited = native.matrix(map.handle, Float64Array.from(pts.flat()), null);
    assert.ok(unlimited.durations!.every((x) => Number.isFinite(x)), 'every pair is routed with the default radius');
    const strictFar = { radiuses: Float64Array.from([100, 1000, 100]) };
    assert.throws(() => native.matrix(map.handle, Float64Array.from(pts.flat()), null, strictFar), /coordinate 1 /);
    const loose = native.matrix(map.handle, Float64Array.from(pts.flat()), null, { radiuses: Float64Array.from([100, Infinity, 100]) });
    assert.deepEqual(Array.from(loose.durations!), Array.from(unlimited.durations!));
    // Rectangular: radii for sources then destinations; messages use the caller's numbers.
    assert.throws(
      () =>
        native.matrix(map.handle, Float64Array.from(DEPOT), Float64Array.from([...B, ...OFF_ROAD]), {
          radiuses: Float64Array.from([100, 100, 500]),
          coordinateNumbers: Uint32Array.from([4, 7, 9]),
        }),
      (err: Error & { code?: string }) => err.code === 'NoSegment' && /^Could not find a matching segment for coordinate 9 /.test(err.message),
    );
  });
});

describe('OSRM and JSON endpoints snap like OSRM', () => {
  let server: WaymarkServer;
  let base: string;
  before(async () => {
    ({ server, base } = await startServer());
  });
  after(async () => {
    await server.close();
  });
  const coords = [DEPOT, B, OFF_ROAD, C].map((p) => p.join(',')).join(';');

  it('/table: no radiuses answers an off-road point; a per-point radius refuses only that point, naming its URL index', async () => {
    const all = await getJson(base, `/table/v1/driving/${coords}`);
    assert.equal(all.status, 200, JSON.stringify(all.json));
    assert.equal(all.json.code, 'Ok');
    assert.ok(all.json.sources[2].distance > 1000);
    assert.ok(all.json.durations.every((row: (number | null)[]) => row.every((x) => typeof x === 'number')));
    // 100 m for the points on the road is fine; the off-road point's own radius decides.
    const close = await getJson(base, `/table/v1/driving/${coords}?radiuses=100;100;unlimited;100`);
    assert.equal(close.status, 200, JSON.stringify(close.json));
    assert.deepEqual(close.json.durations, all.json.durations);
    const strict = await getJson(base, `/table/v1/driving/${coords}?radiuses=;;100;`);
    assert.equal(strict.status, 400);
    assert.equal(strict.json.code, 'NoSegment');
    assert.match(strict.json.message, /^Could not find a matching segment for coordinate 2\b/);
    // With sources/destinations the message still names the URL's coordinate.
    const subset = await getJson(base, `/table/v1/driving/${coords}?sources=0&destinations=3;2&radiuses=;;100;`);
    assert.equal(subset.status, 400);
    assert.match(subset.json.message, /^Could not find a matching segment for coordinate 2\b/);
    const unaffected = await getJson(base, `/table/v1/driving/${coords}?sources=0&destinations=1;3&radiuses=;;100;`);
    assert.equal(unaffected.status, 200, 'a strict radius on a point the table does not use refuses nothing');
    for (const bad of ['abc;;;', '100;;', '-5;;;', '0;;;', '1e999;;;', '100;;unlimitedx;']) {
      const r = await getJson(base, `/table/v1/driving/${coords}?radiuses=${bad}`);
      assert.equal(r.status, 400, bad);
      assert.equal(r.json.code, 'InvalidOptions', bad);
    }
  });

  it('/route, /nearest, POST /route and POST /matrix: unlimited by default, a radius makes them strict', async () => {
    const pair = `${DEPOT.join(',')};${OFF_ROAD.join(',')}`;
    const osrm = await getJson(base, `/route/v1/driving/${pair}`);
    assert.equal(osrm.status, 200);
    assert.ok(osrm.json.waypoints[1].distance > 1000);
    const osrmStrict = await getJson(base, `/route/v1/driving/${pair}?radiuses=unlimited;500`);
    assert.equal(osrmStrict.status, 400);
    assert.match(osrmStrict.json.message, /^Could not find a matching segment for coordinate 1\b/);
    const nearest = await getJson(base, `/nearest/v1/driving/${OFF_ROAD.join(',')}`);
    assert.equal(nearest.status, 200);
    assert.equal((await getJson(base, `/nearest/v1/driving/${OFF_ROAD.join(',')}?radiuses=200`)).json.code, 'NoSegment');
    const route = await postJson(base, '/route', { coordinates: [DEPOT, OFF_ROAD] });
    assert.equal(route.status, 200);
    assert.equal((await postJson(base, '/route', { coordinates: [DEPOT, OFF_ROAD], radius: 'unlimited' })).status, 200);
    const strict = await postJson(base, '/route', { coordinates: [DEPOT, OFF_ROAD], radius: 1000 });
    assert.equal(strict.status, 400);
    assert.equal(strict.json.code, 'NoSegment');
    const matrix = await postJson(base, '/matrix', { sources: [DEPOT, OFF_ROAD] });
    assert.equal(matrix.status, 200);
    assert.equal((await postJson(base, '/matrix', { sources: [DEPOT, OFF_ROAD], radius: 1000 })).json.code, 'NoSegment');
    assert.equal((await postJson(base, '/matrix', { sources: [DEPOT, OFF_ROAD], radius: 'wide' })).status, 400);
    const outside = await postJson(base, '/route', { coordinates: [DEPOT, PARIS] });
    assert.equal(outside.status, 400);
    assert.match(outside.json.message, /outside the map's area/);
  });

  it('POST /vrp: the off-road stop is planned and reported; a depot outside the map is a 400 naming the vehicle', async () => {
    const ok = await postJson(base, '/vrp', { ...deliveryDay(), options: { time_limit: 0.3 } });
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    assert.equal(ok.json.summary.unassigned, 0);
    assert.ok(ok.json.summary.snapping.max_distance > 1000);
    const depot = await postJson(base, '/vrp', { ...deliveryDay(), vehicles: [{ id: 1, start: DEPOT }, { id: 42, start: PARIS }], options: { time_limit: 0.3 } });
    assert.equal(depot.status, 400);
    assert.equal(depot.json.code, 'NoSegment');
    assert.match(depot.json.message, /^vehicles\[1\]\.start \(vehicle 42\): .*outside the map's area/);
    // The job API refuses it before queueing, with the same message.
    const queued = await postJson(base, '/vrp/jobs', { ...deliveryDay(), vehicles: [{ id: 1, start: DEPOT }, { id: 42, start: PARIS }] });
    assert.equal(queued.status, 400);
    assert.equal(queued.json.message, depot.json.message);
    const strictDepot = await postJson(base, '/vrp/jobs', { ...deliveryDay(), vehicles: [{ id: 5, start: OFF_ROAD }], options: { snap_radius: 500 } });
    assert.equal(strictDepot.status, 400);
    assert.match(strictDepot.json.message, /^vehicles\[0\]\.start \(vehicle 5\): .*no road within 500 m/);
    const strict = await postJson(base, '/vrp', { ...deliveryDay(), options: { time_limit: 0.3, snap_radius: 1000 } });
    assert.equal(strict.status, 200);
    assert.deepEqual(strict.json.unassigned.map((u: { id: number; code: string }) => [u.id, u.code]), [[3, 'NoSegment']]);
    // The unassigned stop names its field, not a coordinate number of the internal matrix.
    assert.equal(strict.json.unassigned[0].path, 'jobs[2].location');
    assert.match(strict.json.unassigned[0].reason, /^jobs\[2\]\.location \(job 3\): cannot place \[7\.425,43\.713\] on the 'car' map: no road within 1000 m$/);
    assert.doesNotMatch(strict.json.unassigned[0].reason, /coordinate \d/);
    // The job API's solution says the same.
    const job = await postJson(base, '/vrp/jobs', { ...deliveryDay(), options: { time_limit: 0.3, snap_radius: 1000 } });
    assert.equal(job.status, 202, JSON.stringify(job.json));
    let done: any;
    for (let tries = 0; tries < 600 && done?.status !== 'succeeded'; tries++) {
      done = (await getJson(base, `/vrp/jobs/${job.json.id}`)).json;
      if (done.status === 'failed') assert.fail(JSON.stringify(done));
      if (done.status !== 'succeeded') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(done.status, 'succeeded');
    assert.deepEqual(done.solution.unassigned.map((u: { path: string; reason: string }) => [u.path, u.reason]), strict.json.unassigned.map((u: { path: string; reason: string }) => [u.path, u.reason]));
    const bad = await postJson(base, '/vrp', { ...deliveryDay(), options: { snap_radius: -1 } });
    assert.equal(bad.status, 400);
  });
});

describe('VRP on real addresses', () => {
  it('a stop 1–2 km off-road is planned, with its snap reported per step and counted in the summary', async () => {
    const { map } = await monacoMap();
    const { solution, model } = solveVroom(deliveryDay(), { ...FAST, maps: { car: map.handle } });
    assert.deepEqual(checkSolution(model, solution), []);
    assert.equal(solution.summary.unassigned, 0);
    const far = stepOf(solution, 3)!;
    assert.deepEqual(far.location, OFF_ROAD);
    assert.ok(far.snap_distance! > 1000 && far.snap_distance! < 2000);
    assert.equal(far.snapped_location!.length, 2);
    const near = stepOf(solution, 1)!;
    assert.ok(near.snap_distance! < 100);
    const start = solution.routes[0].steps[0];
    assert.ok(start.snapped_location && typeof start.snap_distance === 'number', 'depots report their snap too');
    assert.deepEqual(solution.summary.snapping, {
      radius: 'unlimited',
      threshold: 100,
      over_threshold: 1,
      max_distance: far.snap_distance,
      unplaced: 0,
    });
    // A threshold above it counts nothing.
    const lax = solveVroom(deliveryDay(), { ...FAST, maps: { car: map.handle }, snapThreshold: 5000 });
    assert.equal(lax.solution.summary.snapping!.over_threshold, 0);
  });

  it('the snap radius option makes it strict: that stop alone goes to unassigned with NoSegment and its location', async () => {
    const { map } = await monacoMap();
    const { solution, model } = solveVroom(deliveryDay(), { ...FAST, maps: { car: map.handle }, snapRadius: 1000 });
    assert.deepEqual(checkSolution(model, solution), []);
    assert.equal(solution.unassigned.length, 1);
    const u = solution.unassigned[0];
    assert.deepEqual([u.id, u.type, u.code, u.location, u.path], [3, 'job', 'NoSegment', OFF_ROAD, 'jobs[2].location']);
    assert.match(u.reason, /^jobs\[2\]\.location \(job 3\): .*no road within 1000 m$/);
    assert.equal(solution.routes[0].steps.filter((s) => s.type === 'job').length, 2, 'the rest is planned');
    assert.equal(solution.summary.snapping!.radius, 1000);
    assert.equal(solution.summary.snapping!.unplaced, 1);
  });

  it('a stop and a shipment delivery outside the map are unassigned with their reason; everything else is planned', async () => {
    const { map } = await monacoMap();
    const problem = deliveryDay({
      jobs: [...deliveryDay().jobs!, { id: 4, location: PARIS, delivery: [1] }],
      shipments: [
        { amount: [1], pickup: { id: 10, location: B }, delivery: { id: 11, location: [9.19, 45.46] } }, // Milan
        { amount: [1], pickup: { id: 20, location: C }, delivery: { id: 21, location: B } },
      ],
    });
    const { solution, model } = solveVroom(problem, { ...FAST, maps: { car: map.handle } });
    assert.deepEqual(checkSolution(model, solution), []);
    const byKey = Object.fromEntries(solution.unassigned.map((u) => [`${u.type}:${u.id}`, u]));
    assert.deepEqual(Object.keys(byKey).sort(), ['delivery:11', 'job:4', 'pickup:10']);
    assert.equal(byKey['job:4'].code, 'NoSegment');
    assert.deepEqual(byKey['job:4'].location, PARIS);
    assert.match(byKey['job:4'].reason, /^jobs\[3\]\.location \(job 4\): .*outside the map's area$/);
    assert.equal(byKey['job:4'].path, 'jobs[3].location');
    assert.match(byKey['pickup:10'].reason, /^its shipment's delivery cannot be placed: shipments\[0\]\.delivery\.location \(delivery 11\): /);
    assert.equal(byKey['pickup:10'].code, 'NoSegment');
    assert.equal(byKey['pickup:10'].path, 'shipments[0].delivery.location', 'the pickup points at the field that failed');
    assert.equal(byKey['delivery:11'].path, 'shipments[0].delivery.location');
    assert.equal(solution.routes.flatMap((r) => r.steps).filter((s) => s.type !== 'start' && s.type !== 'end').length, 5);
    // The CLI: the same plan, exit 0; a depot outside the map: exit 1 naming the vehicle.
    const { path } = await monacoMap();
    const dir = tempDir();
    try {
      const file = join(dir, 'problem.json');
      writeFileSync(file, JSON.stringify(problem));
      const r = runCli(['vrp', file, '--map', path, '--time-limit', '0.3']);
      assert.equal(r.status, 0, r.stderr);
      const cliSolution = JSON.parse(r.stdout) as VroomSolution;
      assert.equal(cliSolution.summary.unassigned, 3);
      assert.deepEqual(cliSolution.unassigned.map((u) => u.path).sort(), ['jobs[3].location', 'shipments[0].delivery.location', 'shipments[0].delivery.location']);
      writeFileSync(file, JSON.stringify({ ...problem, vehicles: [{ id: 9, start: DEPOT, end: PARIS }] }));
      const bad = runCli(['vrp', file, '--map', path, '--time-limit', '0.3']);
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /^waymark: vehicles\[0\]\.end \(vehicle 9\): .*outside the map's area \[NoSegment\]$/m);
      writeFileSync(file, JSON.stringify({ ...deliveryDay(), options: { snap_radius: 1000 } }));
      const strict = runCli(['vrp', file, '--map', path, '--time-limit', '0.3']);
      assert.equal(strict.status, 0, strict.stderr);
      assert.deepEqual(JSON.parse(strict.stdout).unassigned.map((u: { id: number }) => u.id), [3], 'the file\'s options.snap_radius is honoured');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pairs with no route are never used: a location the depot cannot reach is unassigned with NoRoute', async () => {
    const { map } = await monacoMap();
    // The map's own matrix, with every route into and out of one stop removed (as from a map where
    // it sits on an island no vehicle can reach).
    const real = mapMatrixProvider({ car: map.handle });
    const island = B;
    const provider: MatrixProvider = (profile, coordinates) => {
      const m = real(profile, coordinates);
      const n = coordinates.length;
      const k = coordinates.findIndex((c) => c[0] === island[0] && c[1] === island[1]);
      for (let j = 0; j < n; j++) {
        if (j === k) continue;
        m.durations[k * n + j] = m.durations[j * n + k] = NaN;
        m.distances[k * n + j] = m.distances[j * n + k] = NaN;
      }
      return m;
    };
    const model = parseProblem(deliveryDay(), provider);
    const solution = solveModel(model, FAST, 0, 0);
    assert.deepEqual(checkSolution(model, solution), []);
    assert.deepEqual(solution.unassigned.map((u) => [u.id, u.code]), [[1, 'NoRoute']]);
    assert.match(solution.unassigned[0].reason, /no route between it and vehicles\[0\]\.start/);
    // The checker refuses a route through that pair, and a NoRoute stop missing from unassigned.
    const tampered = structuredClone(solution);
    const route = tampered.routes[0];
    route.steps.splice(1, 0, { ...route.steps[1], id: 1, location: B });
    tampered.unassigned = [];
    tampered.summary.unassigned = 0;
    const problems = checkSolution(model, tampered);
    assert.ok(problems.some((p) => /the map has no route/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /cannot place job 1/.test(p)), problems.join('\n'));
  });

  it('the checker re-validates unassigned reasons, codes, locations and the snap fields', async () => {
    const { map } = await monacoMap();
    const { solution, model } = solveVroom(deliveryDay({ jobs: [...deliveryDay().jobs!, { id: 4, location: PARIS }] }), { ...FAST, maps: { car: map.handle } });
    assert.deepEqual(checkSolution(model, solution), []);
    const tamper = (f: (s: VroomSolution) => void) => {
      const copy = structuredClone(solution);
      f(copy);
      return checkSolution(model, copy);
    };
    assert.ok(tamper((s) => (s.unassigned[0].code = 'Capacity')).some((p) => /code Capacity/.test(p)));
    assert.ok(tamper((s) => (s.unassigned[0].reason = 'no idea')).some((p) => /does not give the placement failure/.test(p)));
    assert.ok(tamper((s) => (s.unassigned[0].location = B)).some((p) => /location does not match/.test(p)));
    assert.ok(tamper((s) => (s.unassigned[0].path = 'jobs[0].location')).some((p) => /must name jobs\[3\]\.location/.test(p)));
    assert.ok(tamper((s) => delete s.unassigned[0].path).some((p) => /must name jobs\[3\]\.location/.test(p)));
    assert.ok(
      tamper((s) => {
        s.unassigned = [];
        s.summary.unassigned = 0;
      }).some((p) => /cannot be placed on the road network but is not listed/.test(p)),
    );
    assert.ok(tamper((s) => (stepOf(s, 3)!.snap_distance = 5)).some((p) => /snap /.test(p)));
    assert.ok(tamper((s) => (s.summary.snapping!.over_threshold = 0)).some((p) => /over_threshold/.test(p)));
    assert.ok(tamper((s) => (s.summary.snapping!.max_distance = 1)).some((p) => /max_distance/.test(p)));
  });

  it('waymark bench vrp --road generates planner-shaped problems and reports matrix, solve, cost, unassigned and snaps', async () => {
    const { path } = await monacoMap();
    const r = runCli(['bench', 'vrp', '--road', path, '--jobs', '30', '--vehicles', '3', '--time-limit', '0.3', '--off-road', '2', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const [row] = JSON.parse(r.stdout);
    for (const key of ['matrix_ms', 'solve_s', 'cost', 'unassigned', 'max_snap_m', 'snaps_over_100m', 'refused_at_1km', 'first_cost']) assert.ok(key in row, key);
    assert.equal(row.jobs, 30);
    assert.equal(row.off_road_stops, 2, 'two stops were moved 1-2 km off the road network');
    assert.ok(row.max_snap_m >= 1000 && row.max_snap_m <= 2000);
    assert.equal(row.refused_at_1km, 2, 'the old 1 km default would have refused the problem');
    assert.ok(row.cost > 0 && row.cost <= row.first_cost);
  });
});

describe('the snapping index answers as scanning every road', () => {
  it('same edge, fraction and distance on points on, near and away from roads and on cell borders', async () => {
    const { map } = await monacoMap();
    const [w, s, e, n] = map.header.bbox;
    let state = 17;
    const rnd = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
    const onRoad = native.randomRoadPoints(map.handle, 3000, 5);
    const points: number[] = [...onRoad];
    // Near roads (a few to ~100 m off), anywhere in the map's box, and on the borders of the index's
    // cells and sub-cells (multiples of 0.0005 degrees), where a search block's edge lies.
    for (let i = 0; i < onRoad.length; i += 2) {
      const r = rnd() * rnd() * 0.001, a = rnd() * 2 * Math.PI;
      points.push(onRoad[i] + r * Math.cos(a), onRoad[i + 1] + r * Math.sin(a));
    }
    for (let i = 0; i < 3000; i++) points.push(w + rnd() * (e - w), s + rnd() * (n - s));
    for (let i = 0; i < 1000; i++) {
      points.push(Math.round((w + rnd() * (e - w)) / 0.0005) * 0.0005, s + rnd() * (n - s));
      points.push(w + rnd() * (e - w), Math.round((s + rnd() * (n - s)) / 0.0005) * 0.0005);
    }
    const coords = Float64Array.from(points);
    for (const radius of [1000, 40]) {
      const indexed = native.snap(map.handle, coords, { radius, lenient: true }) as Array<{ edge?: number; fraction?: number; distance?: number }>;
      const scanned = native.referenceSnap(map.handle, coords, radius);
      let found = 0;
      for (let i = 0; i < coords.length / 2; i++) {
        const got = indexed[i];
        const want = { edge: scanned[3 * i], fraction: scanned[3 * i + 1], distance: scanned[3 * i + 2] };
        if (Number.isNaN(want.edge)) {
          assert.ok(got.edge === undefined, `point ${i} (${coords[2 * i]}, ${coords[2 * i + 1]}) radius ${radius}: snapped to ${got.edge}, nothing within reach`);
          continue;
        }
        found++;
        assert.deepEqual([got.edge, got.fraction, got.distance], [want.edge, want.fraction, want.distance], `point ${i} (${coords[2 * i]}, ${coords[2 * i + 1]}) radius ${radius}`);
      }
      assert.ok(found > (radius === 1000 ? 10_000 : 6_000), `${found} points snapped within ${radius} m`);
    }
  });
});
