import polyline from '@mapbox/polyline';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { native } from '../src/native/index.js';
import { matrixOnMap, matrixPairsOnMap } from '../src/routing/matrix.js';
import { routeOnMap, type LonLat } from '../src/routing/route.js';
import type { WaymarkServer } from '../src/server/app.js';
import { monacoMap, tempDir } from './helpers.js';
import { getJson, postJson, startChildServer, startServer } from './server-helpers.js';

const A: LonLat = [7.4197, 43.7314];
const B: LonLat = [7.4265, 43.739];
const C: LonLat = [7.4163, 43.7334];

function randomPoints(handle: Parameters<typeof native.randomRoadPoints>[0], n: number, seed: number): LonLat[] {
  const flat = native.randomRoadPoints(handle, n, seed);
  return Array.from({ length: n }, (_, i) => [flat[2 * i], flat[2 * i + 1]] as LonLat);
}

describe('HTTP API on a real listener', () => {
  let server: WaymarkServer;
  let base: string;
  before(async () => {
    ({ server, base } = await startServer({ maxRouteCoordinates: 5, bodyLimitBytes: 64 * 1024 }));
  });
  after(async () => {
    await server.close();
  });

  it('POST /route answers exactly what the native core computes', async () => {
    const { map } = await monacoMap();
    for (const geometry of ['geojson', 'polyline', false] as const) {
      const res = await postJson(base, '/route', { coordinates: [A, B, C], geometry });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, JSON.parse(JSON.stringify(routeOnMap(map.handle, { coordinates: [A, B, C], geometry }))));
    }
  });

  it('POST /matrix answers full, rectangular and sparse requests like the native core', async () => {
    const { map } = await monacoMap();
    const pts = randomPoints(map.handle, 12, 4);
    const square = await postJson(base, '/matrix', { sources: pts });
    assert.equal(square.status, 200);
    assert.deepEqual(square.json, JSON.parse(JSON.stringify(matrixOnMap(map.handle, { sources: pts }))));
    const rect = await postJson(base, '/matrix', { sources: pts.slice(0, 3), destinations: pts, annotations: ['duration'] });
    assert.equal(rect.status, 200);
    assert.equal(rect.json.durations.length, 3);
    assert.equal(rect.json.durations[0].length, 12);
    assert.equal(rect.json.distances, undefined);
    assert.deepEqual(rect.json.durations, square.json.durations.slice(0, 3));
    const pairs: [number, number][] = [[0, 1], [5, 2], [11, 11]];
    const sparse = await postJson(base, '/matrix', { locations: pts, pairs });
    assert.equal(sparse.status, 200);
    assert.deepEqual(sparse.json, JSON.parse(JSON.stringify(matrixPairsOnMap(map.handle, { locations: pts, pairs }))));
    assert.deepEqual(sparse.json.durations, pairs.map(([i, j]) => square.json.durations[i][j]));
  });

  it('serves OSRM route, table and nearest with OSRM response shapes (as an OSRM client sees them)', async () => {
    const coords = `${A.join(',')};${B.join(',')}`;
    const route = await getJson(base, `/route/v1/driving/${coords}?overview=full&geometries=geojson&steps=true&alternatives=false`);
    assert.equal(route.status, 200);
    assert.equal(route.json.code, 'Ok');
    assert.equal(route.json.routes.length, 1);
    const r = route.json.routes[0];
    for (const key of ['geometry', 'legs', 'weight_name', 'weight', 'duration', 'distance']) assert.ok(key in r, `routes[0].${key}`);
    assert.equal(r.geometry.type, 'LineString');
    for (const key of ['steps', 'summary', 'weight', 'duration', 'distance']) assert.ok(key in r.legs[0], `legs[0].${key}`);
    assert.equal(route.json.waypoints.length, 2);
    for (const w of route.json.waypoints) {
      assert.deepEqual(Object.keys(w).sort(), ['distance', 'hint', 'location', 'name']);
      assert.equal(w.location.length, 2);
    }
    const poly = await getJson(base, `/route/v1/car/${coords}`);
    assert.equal(typeof poly.json.routes[0].geometry, 'string', 'default geometries=polyline');
    assert.ok(Math.abs(poly.json.routes[0].duration - r.duration) < 1e-9);
    const none = await getJson(base, `/route/v1/car/${coords}?overview=false`);
    assert.equal(none.json.routes[0].geometry, undefined);
    const encoded = await getJson(base, `/route/v1/car/polyline(${encodeURIComponent(polyline.encode([A, B].map(([lon, lat]) => [lat, lon])))})?overview=false`);
    assert.equal(encoded.json.code, 'Ok');

    const table = await getJson(base, `/table/v1/driving/${coords};${C.join(',')}?sources=0;1&annotations=duration,distance`);
    assert.equal(table.status, 200);
    assert.equal(table.json.code, 'Ok');
    assert.equal(table.json.durations.length, 2);
    assert.equal(table.json.durations[0].length, 3);
    assert.equal(table.json.distances.length, 2);
    assert.equal(table.json.sources.length, 2);
    assert.equal(table.json.destinations.length, 3);
    assert.deepEqual(Object.keys(table.json.sources[0]).sort(), ['distance', 'hint', 'location', 'name']);
    assert.equal(table.json.durations[0][0], 0);
    assert.ok(Math.abs(table.json.durations[0][1] - r.duration) < 0.11);
    // Dispatch-sized tables put hundreds of coordinates into the URL.
    const { map } = await monacoMap();
    const many = randomPoints(map.handle, 300, 17);
    const big = await getJson(base, `/table/v1/car/${many.map((p) => p.join(',')).join(';')}?sources=0;1;2`);
    assert.equal(big.status, 200, JSON.stringify(big.json).slice(0, 200));
    assert.equal(big.json.durations[2].length, 300);
    const durationsOnly = await getJson(base, `/table/v1/car/${coords}`);
    assert.equal(durationsOnly.json.distances, undefined, 'OSRM default annotations=duration');

    const nearest = await getJson(base, `/nearest/v1/car/${A.join(',')}?number=1`);
    assert.equal(nearest.status, 200);
    assert.equal(nearest.json.code, 'Ok');
    assert.deepEqual(Object.keys(nearest.json.waypoints[0]).sort(), ['distance', 'hint', 'location', 'name', 'nodes']);
  });

  it('answers every class of bad input with a 4xx, a code and a message', async () => {
    const cases: [string, Promise<{ status: number; json: any }>, number, string][] = [
      ['malformed JSON', postJson(base, '/route', '{"coordinates": [[7.4,'), 400, 'InvalidQuery'],
      ['wrong type', postJson(base, '/route', { coordinates: 'here' }), 400, 'InvalidValue'],
      ['NaN as text', postJson(base, '/route', { coordinates: [['NaN', 43.7], B] }), 400, 'InvalidValue'],
      ['longitude out of range', postJson(base, '/route', { coordinates: [[181, 43.7], B] }), 400, 'InvalidValue'],
      ['one coordinate', postJson(base, '/route', { coordinates: [A] }), 400, 'InvalidValue'],
      ['too many coordinates', postJson(base, '/route', { coordinates: [A, B, C, A, B, C] }), 400, 'InvalidValue'],
      ['no road near', postJson(base, '/route', { coordinates: [A, [7.43, 43.7]], radius: 1000 }), 400, 'NoSegment'],
      ['outside the map', postJson(base, '/route', { coordinates: [A, [2.35, 48.85]] }), 400, 'NoSegment'],
      ['unknown profile', postJson(base, '/route', { coordinates: [A, B], profile: 'boat' }), 400, 'InvalidValue'],
      ['oversized body', postJson(base, '/matrix', { sources: Array.from({ length: 4000 }, () => A) }), 413, 'PayloadTooLarge'],
      ['matrix without sources', postJson(base, '/matrix', { annotations: ['duration'] }), 400, 'InvalidValue'],
      ['pairs out of range', postJson(base, '/matrix', { locations: [A, B], pairs: [[0, 2]] }), 400, 'InvalidValue'],
      ['OSRM bad coordinates', getJson(base, '/route/v1/car/7.4,abc;7.42,43.73'), 400, 'InvalidQuery'],
      ['OSRM out of range', getJson(base, '/route/v1/car/7.4,95;7.42,43.73'), 400, 'InvalidValue'],
      ['OSRM unknown profile', getJson(base, `/table/v1/bike/${A.join(',')};${B.join(',')}`), 400, 'InvalidValue'],
      ['OSRM bad sources', getJson(base, `/table/v1/car/${A.join(',')};${B.join(',')}?sources=0;7`), 400, 'InvalidValue'],
      ['OSRM bad annotations', getJson(base, `/table/v1/car/${A.join(',')};${B.join(',')}?annotations=speed`), 400, 'InvalidValue'],
      ['unknown endpoint', getJson(base, '/nope'), 404, 'NotFound'],
      ['admin reload is off without a token', postJson(base, '/admin/reload', {}), 404, 'NotFound'],
    ];
    for (const [name, pending, status, code] of cases) {
      const res = await pending;
      assert.equal(res.status, status, `${name}: status`);
      assert.equal(res.json.code, code, `${name}: code (${res.json.message})`);
      assert.equal(typeof res.json.message, 'string', `${name}: message`);
      assert.ok(res.json.message.length > 0);
    }
    // Still healthy afterwards.
    assert.equal((await postJson(base, '/route', { coordinates: [A, B] })).status, 200);
  });

  it('exposes health, readiness, Prometheus metrics, info and the OpenAPI document', async () => {
    const routed = await fetch(`${base}/route/v1/car/${A.join(',')};${B.join(',')}?overview=false`);
    assert.match(routed.headers.get('x-map-version') ?? '', /^[0-9a-f]{16}$/, 'answers name the map version');
    await routed.arrayBuffer();
    assert.deepEqual((await getJson(base, '/health/live')).json, { status: 'ok' });
    const ready = await getJson(base, '/health/ready');
    assert.equal(ready.status, 200);
    const metrics = await getJson(base, '/metrics');
    assert.equal(metrics.status, 200);
    for (const name of ['waymark_http_requests_total', 'waymark_http_request_duration_seconds_bucket', 'waymark_worker_queue_length', 'waymark_worker_utilization', 'waymark_map_info{']) {
      assert.ok(String(metrics.json).includes(name), name);
    }
    assert.match(String(metrics.json), /waymark_http_requests_total\{route="\/route",method="POST",status="200"\} \d+/);
    const info = await getJson(base, '/info');
    assert.equal(info.json.maps.car.header.profile, 'car');
    assert.ok(info.json.maps.car.buildTime);
    const openapi = await getJson(base, '/openapi.json');
    for (const path of ['/route', '/matrix', '/route/v1/{profile}/{coordinates}', '/table/v1/{profile}/{coordinates}', '/nearest/v1/{profile}/{coordinates}', '/health/ready', '/metrics']) {
      assert.ok(path in openapi.json.paths, `OpenAPI has ${path}`);
    }
    const docs = await fetch(base + '/docs/');
    assert.equal(docs.status, 200);
  });
});

describe('readiness, backpressure, timeouts', () => {
  it('is live at once but ready only after the map is loaded and self-tested', async () => {
    const { server, base } = await startServer({}, false);
    try {
      assert.equal((await getJson(base, '/health/live')).status, 200);
      const before = await getJson(base, '/health/ready');
      assert.equal(before.status, 503);
      assert.equal(before.json.code, 'NotReady');
      const early = await postJson(base, '/route', { coordinates: [A, B] });
      assert.equal(early.status, 503);
      await server.loadMaps();
      assert.equal((await getJson(base, '/health/ready')).status, 200);
      assert.equal((await postJson(base, '/route', { coordinates: [A, B] })).status, 200);
    } finally {
      await server.close();
    }
  });

  it('answers 503 with Retry-After when the queue is full, never crashes, then serves normally', async () => {
    const { map } = await monacoMap();
    const { server, base } = await startServer({ workers: 1, maxQueue: 1 });
    try {
      const pts = randomPoints(map.handle, 400, 8);
      const flood = await Promise.all(Array.from({ length: 24 }, () => postJson(base, '/matrix', { sources: pts, annotations: ['duration'] })));
      const statuses = flood.map((r) => r.status);
      assert.ok(statuses.includes(503), `some requests were shed: ${statuses}`);
      assert.ok(statuses.includes(200), 'some were served');
      assert.ok(statuses.every((s) => s === 200 || s === 503), `only 200 and 503: ${statuses}`);
      for (const r of flood.filter((x) => x.status === 503)) {
        assert.equal(r.json.code, 'Overloaded');
        assert.equal(r.headers.get('retry-after'), '1');
      }
      for (let i = 0; i < 3; i++) assert.equal((await postJson(base, '/route', { coordinates: [A, B] })).status, 200);
    } finally {
      await server.close();
    }
  });

  it('abandons a request past its time limit with 504 and keeps serving', async () => {
    const { map } = await monacoMap();
    // The worker running an abandoned task is terminated and replaced.
    const { server, base } = await startServer({ workers: 1, requestTimeoutMs: 1000, maxAnswerBytes: 2 ** 30 });
    try {
      const pts = randomPoints(map.handle, 4000, 12);
      const slow = await postJson(base, '/matrix', { sources: pts });
      assert.equal(slow.status, 504);
      assert.equal(slow.json.code, 'Timeout');
      // Serving again once the replacement worker is up (its start-up counts against the limit).
      let status = 0;
      for (let attempt = 0; attempt < 20 && status !== 200; attempt++) {
        status = (await postJson(base, '/route', { coordinates: [A, B] })).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      assert.equal(status, 200);
    } finally {
      await server.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('on SIGTERM, finishes the request in flight and exits 0', async () => {
    const { path, map } = await monacoMap();
    const { child, base } = await startChildServer([path, '--port', '0', '--workers', '1', '--data-dir', tempDir('waymark-data-')]);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const pts = randomPoints(map.handle, 1500, 21);
    const inFlight = postJson(base, '/matrix', { sources: pts });
    await new Promise((r) => setTimeout(r, 60));
    child.kill('SIGTERM');
    const res = await inFlight;
    assert.equal(res.status, 200, 'the request in flight completed');
    assert.equal(res.json.durations.length, 1500);
    assert.equal(await exited, 0);
    await assert.rejects(fetch(base + '/health/live'), 'no longer accepting connections');
  });
});
