/**
 * Metrics (native/metric/): queries on other weights are exact against plain Dijkstra on the same
 * weights (random per-edge speeds, priorities and closures on the bundled map), report travel time
 * (not the optimised weight) as duration in routes and tables alike, and `exclude` keeps routes and
 * snapped points off excluded roads (a hand-made network with each class, test/fixtures/exclude.osm).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildMapFromPbf } from '../src/build/build-map.js';
import { native, type MapHandle } from '../src/native/index.js';
import { getProfile } from '../src/profiles/index.js';
import { metricHandle } from '../src/routing/metric.js';
import type { WaymarkServer } from '../src/server/app.js';
import { fixtures, monacoMap, tempDir } from './helpers.js';
import { getJson, postJson, startServer } from './server-helpers.js';

/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomModel(map: MapHandle, seed: number, closed = 0) {
  const edges = native.mapHeader(map).counts.edges;
  const r = rng(seed);
  const speedFactor = new Float64Array(edges), speedLimit = new Float64Array(edges), priority = new Float64Array(edges);
  for (let e = 0; e < edges; e++) {
    speedFactor[e] = r() < closed ? 0 : 0.3 + 1.5 * r();
    speedLimit[e] = r() < 0.3 ? 20 + 60 * r() : Infinity;
    priority[e] = 0.2 + r();
  }
  return { speedFactor, speedLimit, priority, distanceInfluence: 30 * r() };
}

async function exclusionMap(): Promise<string> {
  const dir = tempDir();
  const pbf = join(dir, 'exclude.osm.pbf');
  const r = spawnSync('osmium', ['cat', join(fixtures, 'exclude.osm'), '-o', pbf, '--overwrite'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const path = join(dir, 'exclude.wmap');
  await buildMapFromPbf({ input: pbf, output: path, profile: getProfile('car') });
  return path;
}

describe('metrics: exact on modified weights', () => {
  it('routes on random custom metrics equal Dijkstra on the same weights, and report travel time', async () => {
    const { map } = await monacoMap();
    for (const [seed, closed] of [[1, 0], [2, 0.02], [3, 0.05]] as const) {
      const metric = native.metricOf(map.handle, `test:random:${seed}`, randomModel(map.handle, seed, closed))!;
      const info = native.metricInfo(metric)!;
      assert.equal(info.weightIsTravelTime, false);
      const pts = native.randomRoadPoints(map.handle, 120, seed);
      let compared = 0, noRoute = 0, differs = 0;
      for (let i = 0; i + 3 < pts.length; i += 4) {
        const pair = pts.slice(i, i + 4);
        let oracle: { duration: number; distance: number } | string;
        let route: ReturnType<typeof native.route> | string;
        try { oracle = native.referenceRoute(metric, pair); } catch (e) { oracle = (e as { code: string }).code; }
        try { route = native.route(metric, pair, { pieces: true }); } catch (e) { route = (e as { code: string }).code; }
        if (typeof oracle === 'string' || typeof route === 'string') {
          // Both fail alike: no route, or an endpoint that cannot snap (every nearby road closed).
          assert.equal(route, oracle, `pair ${i / 4}`);
          noRoute++;
          continue;
        }
        // The oracle's "duration" is the weight it minimised.
        assert.ok(Math.abs(route.weight - oracle.duration) < 0.002 + 1e-6 * oracle.duration, `pair ${i / 4}: weight ${route.weight} vs Dijkstra ${oracle.duration}`);
        assert.ok(Math.abs(route.distance - oracle.distance) < 0.02 || route.weight === oracle.duration, `pair ${i / 4}`);
        // Duration is the travel time along the path: the sum of its pieces.
        let pieces = 0;
        const p = route.legs[0].pieces!;
        for (let k = 0; k < p.length; k += 4) pieces += p[k + 2];
        assert.ok(Math.abs(route.duration - pieces) < 1e-6, `pair ${i / 4}`);
        if (Math.abs(route.duration - route.weight) > 1) differs++;
        // The table reports the same travel time and distance for the same pair.
        const table = native.matrix(metric, pair.slice(0, 2), pair.slice(2, 4));
        assert.ok(Math.abs(table.durations![0] - route.duration) < 0.01, `pair ${i / 4}: table ${table.durations![0]} vs route ${route.duration}`);
        assert.ok(Math.abs(table.distances![0] - route.distance) < 0.02, `pair ${i / 4}`);
        compared++;
      }
      assert.ok(compared >= (closed ? 8 : 20), `seed ${seed}: only ${compared} pairs compared`);
      assert.ok(differs > compared / 2, 'weights and travel times differ on most routes');
      if (closed === 0) assert.equal(noRoute, 0);
    }
  });

  it('rectangular and sparse tables on a metric equal one route per cell', async () => {
    const { map } = await monacoMap();
    const metric = native.metricOf(map.handle, 'test:random:9', randomModel(map.handle, 9))!;
    const pts = native.randomRoadPoints(map.handle, 9, 4);
    const src = pts.slice(0, 8), dst = pts.slice(8);
    const m = native.matrix(metric, src, dst);
    const pairs = native.matrixPairs(metric, pts, Uint32Array.from([0, 4, 1, 5, 2, 6, 3, 7]));
    for (let s = 0; s < 4; s++)
      for (let t = 0; t < 5; t++) {
        const r = native.route(metric, Float64Array.from([src[2 * s], src[2 * s + 1], dst[2 * t], dst[2 * t + 1]]), { geometry: false });
        assert.ok(Math.abs(m.durations![s * 5 + t] - r.duration) < 0.01, `cell ${s},${t}`);
      }
    for (let k = 0; k < 4; k++) {
      const r = native.route(metric, Float64Array.from([pts[2 * k], pts[2 * k + 1], pts[2 * (k + 4)], pts[2 * (k + 4) + 1]]), { geometry: false });
      assert.ok(Math.abs(pairs.durations![k] - r.duration) < 0.01, `pair ${k}`);
    }
  });

  it('caches each metric once, and the served weights stay untouched', async () => {
    const { map } = await monacoMap();
    const before = native.metricCache();
    const spec = randomModel(map.handle, 11);
    const a = native.metricOf(map.handle, 'test:random:11', spec)!;
    const b = native.metricOf(map.handle, 'test:random:11')!;
    const after = native.metricCache();
    assert.equal(after.misses, before.misses + 1);
    assert.equal(after.hits, before.hits + 1);
    assert.deepEqual(native.metricInfo(a), native.metricInfo(b));
    assert.equal(native.metricInfo(map.handle), null);
    const pair = native.randomRoadPoints(map.handle, 2, 5);
    assert.equal(native.route(map.handle, pair).duration, native.referenceRoute(map.handle, pair).duration);
  });
});

describe('exclude', () => {
  let path: string;
  let map: MapHandle;
  const S = [7.4185, 43.73], T = [7.4415, 43.73], ISLAND = [7.442, 43.738];
  const byClass: Record<string, string> = { motorway: 'Motorway', toll: 'Toll Road', ferry: 'Ferry', unpaved: 'Gravel Road' };
  before(async () => {
    path = await exclusionMap();
    map = native.openMap(path);
  });

  it('routes avoid every excluded class when another way exists, fastest among the rest', () => {
    const expected: [string[], string][] = [
      [[], 'Ferry'],
      [['motorway'], 'Ferry'],
      [['ferry'], 'Motorway'],
      [['ferry', 'motorway'], 'Toll Road'],
      [['ferry', 'motorway', 'toll'], 'Gravel Road'],
      [['ferry', 'motorway', 'toll', 'unpaved'], 'Slow Street'],
      [['unpaved'], 'Ferry'],
    ];
    for (const [exclude, via] of expected) {
      const h = exclude.length ? native.metricOf(map, `exclude:${exclude.join(',')}`, { exclude })! : map;
      const r = native.route(h, Float64Array.from([...S, ...T]));
      assert.deepEqual(r.legs[0].names, ['Start Street', via, 'End Street'], `exclude=${exclude}`);
      for (const c of exclude) assert.ok(!r.legs[0].names.includes(byClass[c]));
      assert.equal(r.duration, native.referenceRoute(h, Float64Array.from([...S, ...T])).duration);
    }
  });

  it('exclusions hold when a custom model comes with them', () => {
    // The model makes the excluded roads the most attractive; they stay closed all the same.
    const h = metricHandle(map, {
      exclude: ['ferry', 'motorway', 'toll'],
      customModel: { priority: [{ if: 'road_class == RESIDENTIAL || surface == GRAVEL', multiply_by: 0.01 }], speed: [{ if: 'toll == ALL || road_class == MOTORWAY', multiply_by: 10 }] },
    });
    const r = native.route(h, Float64Array.from([...S, ...T]));
    assert.deepEqual(r.legs[0].names, ['Start Street', 'Gravel Road', 'End Street']);
    assert.ok(Math.abs(r.weight - native.referenceRoute(h, Float64Array.from([...S, ...T])).duration) < 0.002);
  });

  it('a point in a pocket reached only over excluded roads snaps to the nearest reachable road; NoRoute only when the radius holds nothing else', () => {
    const route = native.route(map, Float64Array.from([...S, ...ISLAND]));
    assert.ok(route.legs[0].names.includes('Spur'));
    assert.equal(native.snap(map, Float64Array.from(ISLAND))[0].name, 'Island Street');
    const noMotorway = native.metricOf(map, 'exclude:motorway', { exclude: ['motorway'] })!;
    // The island street is a small component of the metric: the point goes to the largest one.
    const snappedIsland = native.snap(noMotorway, Float64Array.from(ISLAND))[0];
    assert.ok(!['Island Street', 'Spur', 'Motorway'].includes(snappedIsland.name), snappedIsland.name);
    const around = native.route(noMotorway, Float64Array.from([...S, ...ISLAND]));
    assert.ok(!around.legs[0].names.includes('Spur') && !around.legs[0].names.includes('Island Street'), around.legs[0].names.join());
    assert.equal(around.duration, native.referenceRoute(noMotorway, Float64Array.from([...S, ...ISLAND])).duration);
    // Within 100 m there is only the island street: the point snaps there (the fallback), and no route reaches it.
    assert.equal(native.snap(noMotorway, Float64Array.from(ISLAND), { radius: 100 })[0].name, 'Island Street');
    assert.throws(() => native.route(noMotorway, Float64Array.from([...S, ...ISLAND]), { radius: 100 }), (e: { code: string }) => e.code === 'NoRoute');
    // Without the exclusion nothing changes: the island street, by the spur.
    assert.equal(native.snap(map, Float64Array.from(ISLAND), { radius: 100 })[0].name, 'Island Street');
    // A point on the motorway itself snaps to the nearest road that is not one.
    const onMotorway = Float64Array.from([7.43, 43.732]);
    assert.equal(native.snap(map, onMotorway)[0].name, 'Motorway');
    const snapped = native.snap(noMotorway, onMotorway)[0];
    assert.notEqual(snapped.name, 'Motorway');
    assert.ok(snapped.distance > 50);
  });

  describe('over HTTP', () => {
    let server: WaymarkServer;
    let base: string;
    before(async () => {
      ({ server, base } = await startServer({ maps: { car: path } }));
    });
    after(async () => {
      await server.close();
    });
    const coords = `${S.join(',')};${T.join(',')}`;

    it('OSRM route, table, nearest, match and trip honour exclude', async () => {
      const plain = await getJson(base, `/route/v1/car/${coords}?steps=true`);
      assert.equal(plain.status, 200);
      const names = (j: any) => j.routes[0].legs[0].steps.map((s: { name: string }) => s.name);
      assert.ok(names(plain.json).includes('Ferry'));
      const ex = await getJson(base, `/route/v1/car/${coords}?steps=true&exclude=ferry,motorway`);
      assert.equal(ex.status, 200, JSON.stringify(ex.json));
      assert.ok(names(ex.json).includes('Toll Road') && !names(ex.json).includes('Ferry') && !names(ex.json).includes('Motorway'));
      assert.ok(ex.json.routes[0].duration > plain.json.routes[0].duration);

      const table = await getJson(base, `/table/v1/car/${coords}?exclude=ferry,motorway`);
      assert.equal(table.status, 200);
      assert.equal(table.json.durations[0][1], ex.json.routes[0].duration);

      const island = await getJson(base, `/route/v1/car/${S.join(',')};${ISLAND.join(',')}?exclude=motorway&radiuses=unlimited;100`);
      assert.equal(island.status, 400);
      assert.equal(island.json.code, 'NoRoute');
      const reachable = await getJson(base, `/route/v1/car/${S.join(',')};${ISLAND.join(',')}?exclude=motorway&steps=true`);
      assert.equal(reachable.status, 200, JSON.stringify(reachable.json));
      assert.ok(!names(reachable.json).includes('Island Street') && !names(reachable.json).includes('Spur'));

      const nearest = await getJson(base, `/nearest/v1/car/7.43,43.732?exclude=motorway`);
      assert.equal(nearest.status, 200);
      assert.notEqual(nearest.json.waypoints[0].name, 'Motorway');

      const slow = await getJson(base, `/route/v1/car/${coords}?steps=true&exclude=ferry,motorway,toll,unpaved`);
      assert.equal(slow.status, 200);
      assert.ok(names(slow.json).includes('Slow Street'));
      const trip = await getJson(base, `/trip/v1/car/${coords}?exclude=ferry,motorway,toll`);
      assert.equal(trip.status, 200, JSON.stringify(trip.json));
      assert.ok(trip.json.trips[0].duration > 2 * ex.json.routes[0].duration);

      // A trace along the toll road: excluding toll forces the match elsewhere or fails; excluding ferry changes nothing.
      const trace = [[7.4185, 43.73], [7.425, 43.7287], [7.43, 43.728], [7.435, 43.7287], [7.4415, 43.73]];
      const traceUrl = trace.map((c) => c.join(',')).join(';');
      const m1 = await getJson(base, `/match/v1/car/${traceUrl}?radiuses=${trace.map(() => 20).join(';')}&exclude=ferry`);
      assert.equal(m1.status, 200, JSON.stringify(m1.json));
      const m2 = await getJson(base, `/match/v1/car/${traceUrl}?radiuses=${trace.map(() => 20).join(';')}&exclude=toll`);
      assert.ok(m2.status !== 200 || m2.json.matchings.every((mm: { distance: number }) => mm.distance !== m1.json.matchings[0].distance));

      for (const bad of ['cobbles', 'ferry,tolls']) {
        const r = await getJson(base, `/route/v1/car/${coords}?exclude=${bad}`);
        assert.equal(r.status, 400);
        assert.equal(r.json.code, 'InvalidOptions');
      }
    });

    it('JSON route, matrix and VRP vehicles take "exclude"', async () => {
      const r = await postJson(base, '/route', { coordinates: [S, T], exclude: ['motorway', 'ferry'] });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.deepEqual(r.json.legs[0].names, ['Start Street', 'Toll Road', 'End Street']);
      const m = await postJson(base, '/matrix', { sources: [S], destinations: [T], exclude: ['motorway', 'ferry'] });
      assert.equal(m.status, 200);
      assert.equal(m.json.durations[0][0], r.json.duration);
      const bad = await postJson(base, '/route', { coordinates: [S, T], exclude: ['bridges'] });
      assert.equal(bad.status, 400);

      const problem = (exclude?: string[]) => ({
        vehicles: [{ id: 1, start: S, end: S, ...(exclude ? { exclude } : {}) }],
        jobs: [{ id: 1, location: T }],
        options: { time_limit: 0.5 },
      });
      const plain = await postJson(base, '/vrp', problem());
      const avoid = await postJson(base, '/vrp', problem(['ferry', 'motorway', 'toll']));
      assert.equal(plain.status, 200, JSON.stringify(plain.json));
      assert.equal(avoid.status, 200, JSON.stringify(avoid.json));
      assert.ok(avoid.json.summary.duration > plain.json.summary.duration + 200);
      const wrong = await postJson(base, '/vrp', { ...problem(), vehicles: [{ id: 1, start: S, exclude: ['toll', 'bridges'] }] });
      assert.equal(wrong.status, 400);
      assert.match(wrong.json.message, /vehicles\[0\]\.exclude/);
    });
  });
});
