/**
 * Answers bounded in bytes (issue 21): VRP solutions, sparse pairs, zone matrices and ETAs are
 * refused with 400 TooBig when they could exceed --max-answer-bytes, before they are computed; just
 * within the bound they are answered, and never longer than the estimate that let them through.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gridDisk, latLngToCell } from 'h3-js';
import { WaymarkError } from '../src/errors.js';
import type { WaymarkServer } from '../src/server/app.js';
import { checkVrpAnswerBytes, vrpAnswerBytesBound } from '../src/vrp/answer-size.js';
import { addGeometry } from '../src/vrp/geometry.js';
import { parseProblem } from '../src/vrp/model.js';
import { solveVroom } from '../src/vrp/solve.js';
import type { VroomProblem } from '../src/vrp/types.js';
import { estimatedPairsAnswerBytes } from '../src/routing/matrix.js';
import { estimatedZoneAnswerBytes, selectCells, zoneSamples } from '../src/zones/zones.js';
import handle from '../src/workers/query-worker.js';
import { monacoMap } from './helpers.js';
import { getJson, postJson, startServer } from './server-helpers.js';

const LIMIT = 100_000;
const DEPOT: [number, number] = [7.4197, 43.7314];
const STOPS: [number, number][] = [
  [7.4265, 43.739],
  [7.4163, 43.7334],
  [7.423, 43.736],
  [7.43, 43.742],
  [7.418, 43.732],
];
const PARIS: [number, number] = [2.35, 48.85];

function assertTooBig(res: { status: number; json: any }, what: string): void {
  assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.json).slice(0, 300)}`);
  assert.deepEqual(Object.keys(res.json).sort(), ['code', 'message'], what);
  assert.equal(res.json.code, 'TooBig', what);
  assert.match(res.json.message, new RegExp(`over the limit of ${LIMIT}`), what);
}

/** A problem of `jobs` stops whose vehicle has `dims` capacity dimensions (jobs without amounts: the loads are all zero). */
function problem(jobs: number, dims: number, extra: Partial<VroomProblem> = {}): VroomProblem {
  return {
    vehicles: [{ id: 1, start: DEPOT, end: DEPOT, capacity: new Array(dims).fill(1) }],
    jobs: Array.from({ length: jobs }, (_, i) => ({ id: i + 1, location: STOPS[i % STOPS.length] })),
    ...extra,
  };
}

const boundOf = (p: VroomProblem) => vrpAnswerBytesBound(parseProblem(p, undefined, true));

describe('VRP answer bytes', () => {
  it('the bound is never below the real answer: stops, shipments, breaks, descriptions, many dimensions, unassigned reasons', async () => {
    const { map } = await monacoMap();
    const cases: [string, VroomProblem][] = [
      ['plain', problem(5, 1)],
      ['many dimensions', problem(5, 300)],
      [
        'amounts, breaks, descriptions with escapes',
        {
          vehicles: [
            { id: 7, description: 'van "A"\n\u0001', start: DEPOT, end: DEPOT, capacity: [99999, 3], breaks: [{ id: 1, time_windows: [[0, 100000]], service: 60, description: 'lunch\t☕' }] },
            { id: 8, start: DEPOT, capacity: [5, 5] },
          ],
          jobs: STOPS.map((location, i) => ({ id: i + 1, location, delivery: [12345, 1], service: 300, description: `stop ${i} ☃ "\\"` })),
          shipments: [{ amount: [777, 1], pickup: { id: 1, location: STOPS[0], description: 'p' }, delivery: { id: 2, location: STOPS[3], description: 'd' } }],
        },
      ],
      ['unassigned with reasons', problem(5, 1, { jobs: [...problem(5, 1).jobs!, { id: 99, location: PARIS, description: 'far away' }], shipments: [{ pickup: { id: 1, location: STOPS[1] }, delivery: { id: 2, location: PARIS } }] })],
    ];
    for (const [name, p] of cases) {
      const { solution } = solveVroom(p, { timeLimit: 0.1, seed: 1, threads: 1, maps: { car: map.handle } });
      const bytes = JSON.stringify(solution).length;
      const bound = boundOf(p);
      assert.ok(bytes <= bound, `${name}: ${bytes} bytes answered, bound ${bound}`);
      assert.ok(bound < 40 * bytes + 20_000, `${name}: the bound (${bound}) stays within reach of the answer (${bytes})`);
    }
    assert.ok(JSON.stringify(solveVroom(cases[3][1], { timeLimit: 0.1, maps: { car: map.handle } }).solution.unassigned).includes('far away'));
  });

  it('route geometry is added only while the answer fits: TooBig past the limit, the whole answer at it', async () => {
    const { map } = await monacoMap();
    const { solution, model } = solveVroom(problem(5, 1), { timeLimit: 0.1, seed: 1, threads: 1, maps: { car: map.handle } });
    const full = structuredClone(solution);
    addGeometry(full, model, { car: map.handle });
    const bytes = JSON.stringify(full).length;
    assert.ok(full.routes[0].geometry && full.routes[0].geometry.length > 20);
    const exact = structuredClone(solution);
    addGeometry(exact, model, { car: map.handle }, bytes);
    assert.equal(JSON.stringify(exact).length, bytes, 'at the limit: the whole answer');
    assert.throws(
      () => addGeometry(structuredClone(solution), model, { car: map.handle }, bytes - 1),
      (err: WaymarkError) => err.code === 'TooBig' && /over the limit of/.test(err.message),
    );
  });

  it("the worker refuses any answer longer than the task's limit once written (what the estimates could not know)", async () => {
    const { path } = await monacoMap();
    const request = { coordinates: [DEPOT, STOPS[0]] as [number, number][], geometry: 'geojson' as const };
    const ok = handle({ kind: 'route', map: path, request }) as { ok: true; json: string };
    assert.equal(ok.ok, true);
    assert.deepEqual(handle({ kind: 'route', map: path, request, maxBytes: ok.json.length }), ok);
    const refused = handle({ kind: 'route', map: path, request, maxBytes: ok.json.length - 1 }) as { ok: false; code: string; message: string };
    assert.equal(refused.ok, false);
    assert.equal(refused.code, 'TooBig');
    assert.match(refused.message, new RegExp(`${ok.json.length} bytes of JSON, over the limit of ${ok.json.length - 1}`));
  });

  it('checkVrpAnswerBytes refuses exactly past the bound', () => {
    const model = parseProblem(problem(3, 2), undefined, true);
    const bound = vrpAnswerBytesBound(model);
    checkVrpAnswerBytes(model, bound);
    assert.throws(() => checkVrpAnswerBytes(model, bound - 1), (err: WaymarkError) => err.code === 'TooBig');
  });
});

describe(`answers bounded in bytes over HTTP (--max-answer-bytes ${LIMIT})`, () => {
  let server: WaymarkServer;
  let base: string;
  before(async () => ({ server, base } = await startServer({ maxAnswerBytes: LIMIT })));
  after(async () => {
    await server.close();
  });

  it('POST /vrp and /vrp/jobs: a problem whose answer could pass the limit is refused before solving or queueing', async () => {
    // The largest number of stops whose bound fits, and one more.
    let n = 1;
    while (boundOf(problem(n + 1, 1)) <= LIMIT) n++;
    const fits = await postJson(base, '/vrp', { ...problem(n, 1), options: { time_limit: 0.2 } });
    assert.equal(fits.status, 200, JSON.stringify(fits.json).slice(0, 300));
    assert.equal(fits.json.summary.unassigned, 0);
    assert.ok(JSON.stringify(fits.json).length <= LIMIT);
    assertTooBig(await postJson(base, '/vrp', { ...problem(n + 1, 1), options: { time_limit: 0.2 } }), `${n + 1} stops`);
    const queued = await postJson(base, '/vrp/jobs', { ...problem(n, 1), options: { time_limit: 0 } });
    assert.equal(queued.status, 202);
    assertTooBig(await postJson(base, '/vrp/jobs', { ...problem(n + 1, 1), options: { time_limit: 0 } }), `job of ${n + 1} stops`);
    // The amplification: a 4 KB problem (2,000 capacity dimensions, repeated in every step's load).
    const wide = { ...problem(20, 2000), options: { time_limit: 0.2 } };
    assert.ok(JSON.stringify(wide).length < 6000);
    assertTooBig(await postJson(base, '/vrp', wide), '2000 dimensions');
    assertTooBig(await postJson(base, '/vrp/jobs', wide), 'job with 2000 dimensions');
    // The same shape with fewer dimensions fits.
    let dims = 1;
    while (boundOf(problem(20, dims + 1)) <= LIMIT) dims++;
    assert.equal((await postJson(base, '/vrp', { ...problem(20, dims), options: { time_limit: 0.2 } })).status, 200);
    assertTooBig(await postJson(base, '/vrp', { ...problem(20, dims + 1), options: { time_limit: 0.2 } }), `${dims + 1} dimensions`);
  });

  it('POST /matrix with pairs: the estimate decides before routing, and the answer stays within it', async () => {
    const locations = [DEPOT, STOPS[0], STOPS[1]];
    const perPair = estimatedPairsAnswerBytes(locations.length, 1, 2) - estimatedPairsAnswerBytes(locations.length, 0, 2);
    const n = Math.floor((LIMIT - estimatedPairsAnswerBytes(locations.length, 0, 2)) / perPair);
    const pairs = (k: number) => Array.from({ length: k }, (_, i) => [i % 3, (i + 1) % 3]);
    const fits = await postJson(base, '/matrix', { locations, pairs: pairs(n) });
    assert.equal(fits.status, 200, JSON.stringify(fits.json).slice(0, 300));
    assert.equal(fits.json.durations.length, n);
    assert.ok(JSON.stringify(fits.json).length <= estimatedPairsAnswerBytes(locations.length, n, 2));
    assertTooBig(await postJson(base, '/matrix', { locations, pairs: pairs(n + 1) }), `${n + 1} pairs`);
    // One annotation halves the cells: twice the pairs fit.
    assert.equal((await postJson(base, '/matrix', { locations, pairs: pairs(n + 1), annotations: ['duration'] })).status, 200);
  });

  it('POST /zones/matrix: refused once the cells with roads are known, before any matrix is computed', async () => {
    const { map } = await monacoMap();
    const all = selectCells({ resolution: 10, bbox: [7.41, 43.725, 7.44, 43.75] });
    const z = zoneSamples(map.handle, all);
    // The first k cells with roads (and the road-less ones among them).
    const estimate = (k: number) => {
      const cells = z.cells.slice(0, k);
      const points = z.points.slice(0, k).reduce((s, p) => s + p.length, 0);
      return estimatedZoneAnswerBytes('matrix', cells.length, points, 0);
    };
    let k = 1;
    while (estimate(k + 1) <= LIMIT) k++;
    assert.ok(k + 1 < z.cells.length, 'the area has more cells than fit');
    const fits = await postJson(base, '/zones/matrix', { resolution: 10, cells: z.cells.slice(0, k) });
    assert.equal(fits.status, 200, JSON.stringify(fits.json).slice(0, 300));
    assert.equal(fits.json.cells.length, k);
    assert.ok(JSON.stringify(fits.json).length <= estimate(k), `${JSON.stringify(fits.json).length} bytes within the estimate ${estimate(k)}`);
    assertTooBig(await postJson(base, '/zones/matrix', { resolution: 10, cells: z.cells.slice(0, k + 1) }), `${k + 1} cells`);
    // A small bbox request asking for the whole area is refused as well.
    assertTooBig(await postJson(base, '/zones/matrix', { resolution: 10, bbox: [7.41, 43.725, 7.44, 43.75] }), 'bbox');
  });

  it('POST /zones/eta: refused from the cell count before routing', async () => {
    const fitting = Math.floor((LIMIT - estimatedZoneAnswerBytes('eta', 0, 0, 0)) / (estimatedZoneAnswerBytes('eta', 1, 0, 0) - estimatedZoneAnswerBytes('eta', 0, 0, 0)));
    const disk = gridDisk(latLngToCell(DEPOT[1], DEPOT[0], 11), 20);
    assert.ok(disk.length > fitting + 1);
    const fits = await postJson(base, '/zones/eta', { resolution: 11, cells: disk.slice(0, fitting), location: DEPOT });
    assert.equal(fits.status, 200, JSON.stringify(fits.json).slice(0, 300));
    assert.equal(fits.json.cells.length + fits.json.roadless.length, fitting);
    assert.ok(JSON.stringify(fits.json).length <= estimatedZoneAnswerBytes('eta', fitting, 0, 0));
    assertTooBig(await postJson(base, '/zones/eta', { resolution: 11, cells: disk.slice(0, fitting + 1), location: DEPOT }), `${fitting + 1} cells`);
    // Other endpoints are unaffected by the limit at their small sizes.
    assert.equal((await getJson(base, `/route/v1/driving/${DEPOT.join(',')};${STOPS[0].join(',')}`)).status, 200);
  });
});
