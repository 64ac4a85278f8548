import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WaymarkError } from '../src/errors.js';
import { native } from '../src/native/index.js';
import { matrixOnMap, matrixPairsOnMap } from '../src/routing/matrix.js';
import type { LonLat } from '../src/routing/route.js';
import { GraphAccess, midpoint } from './graph-access.js';
import { monacoMap, runCli } from './helpers.js';

function toPoints(flat: Float64Array): LonLat[] {
  const out: LonLat[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

const ms = (seconds: number) => (Number.isNaN(seconds) ? NaN : Math.round(seconds * 1000));

describe('many-to-many matrices', () => {
  it('every cell of a 100 x 100 random matrix equals a one-to-all plain Dijkstra, to the millisecond', async () => {
    const { map } = await monacoMap();
    const pts = native.randomRoadPoints(map.handle, 100, 42);
    const m = native.matrix(map.handle, pts, null);
    const ref = native.referenceTable(map.handle, pts, pts);
    assert.equal(m.durations!.length, 100 * 100);
    let sameDistance = 0;
    for (let i = 0; i < 100 * 100; i++) {
      assert.equal(ms(m.durations![i]), ms(ref.durations[i]), `cell ${Math.floor(i / 100)},${i % 100}`);
      if (Math.abs(m.distances![i] - ref.distances[i]) <= 0.02) sameDistance++;
    }
    assert.ok(sameDistance >= 9800, `distances agree on ${sameDistance} of 10000 cells`);
    for (let i = 0; i < 100; i++) assert.equal(m.durations![i * 100 + i], 0, 'a point to itself is 0');
  });

  it('single-threaded and multi-threaded runs give identical matrices', async () => {
    const { map } = await monacoMap();
    const pts = native.randomRoadPoints(map.handle, 300, 9);
    const one = native.matrix(map.handle, pts, null, { threads: 1 });
    const all = native.matrix(map.handle, pts, null, { threads: 4 });
    assert.deepEqual(one.durations, all.durations);
    assert.deepEqual(one.distances, all.distances);
  });

  it('rectangular and sparse modes agree with the full matrix', async () => {
    const { map } = await monacoMap();
    const n = 60;
    const pts = native.randomRoadPoints(map.handle, n, 11);
    const full = native.matrix(map.handle, pts, null);
    const srcIdx = [3, 17, 17, 40, 59];
    const dstIdx = [0, 5, 22, 33, 41, 58, 3];
    const pick = (idx: number[]) => Float64Array.from(idx.flatMap((i) => [pts[2 * i], pts[2 * i + 1]]));
    const rect = native.matrix(map.handle, pick(srcIdx), pick(dstIdx));
    srcIdx.forEach((s, r) =>
      dstIdx.forEach((d, c) => {
        assert.equal(rect.durations![r * dstIdx.length + c], full.durations![s * n + d]);
        assert.equal(rect.distances![r * dstIdx.length + c], full.distances![s * n + d]);
      }),
    );
    // Few pairs (point-to-point queries) and many pairs (buckets) both match.
    for (const count of [10, 2000]) {
      const pairs = new Uint32Array(count * 2);
      for (let i = 0; i < count; i++) {
        pairs[2 * i] = (i * 7) % n;
        pairs[2 * i + 1] = (i * 13 + 5) % n;
      }
      const sparse = native.matrixPairs(map.handle, pts, pairs);
      for (let i = 0; i < count; i++) {
        assert.equal(ms(sparse.durations![i]), ms(full.durations![pairs[2 * i] * n + pairs[2 * i + 1]]), `pair ${i} of ${count}`);
      }
    }
  });

  it('unreachable cells are null in JSON and NaN in typed arrays, where the oracle finds no path', async () => {
    const { map } = await monacoMap();
    const g = new GraphAccess(map.handle);
    const flags = native.mapSection(map.handle, 'segment_flags', 'u8');
    const segEdgeDir = native.mapSection(map.handle, 'segment_edge_dir', 'u32');
    const isolated: LonLat[] = [];
    for (let s = 0; s < flags.length && isolated.length < 6; s++) {
      if (flags[s] & 1) continue;
      const p = g.polyline(segEdgeDir[s] >>> 1);
      isolated.push(midpoint(p[0], p[1]));
    }
    const points = [...isolated, ...toPoints(native.randomRoadPoints(map.handle, 10, 1))];
    const flat = Float64Array.from(points.flat());
    const m = native.matrix(map.handle, flat, null, { allowIsolated: true });
    const ref = native.referenceTable(map.handle, flat, flat, { allowIsolated: true });
    let nulls = 0;
    for (let i = 0; i < m.durations!.length; i++) {
      assert.equal(ms(m.durations![i]), ms(ref.durations[i]));
      if (Number.isNaN(m.durations![i])) nulls++;
    }
    assert.ok(nulls > 0, 'some cells are unreachable');
    // The JSON shape uses null, never a huge number.
    const json = matrixOnMap(map.handle, { sources: points, annotations: ['duration', 'distance'] });
    assert.equal(json.durations!.length, points.length);
    const jsonAllowed = native.matrix(map.handle, flat, null, { allowIsolated: true });
    assert.ok(Array.from(jsonAllowed.durations!).every((x) => Number.isNaN(x) || x < 1e6));
  });

  it('snaps duplicate coordinates once and answers them identically', async () => {
    const { map } = await monacoMap();
    const pts = toPoints(native.randomRoadPoints(map.handle, 5, 2));
    const dup = [pts[0], pts[1], pts[0], pts[2], pts[1]];
    const m = matrixOnMap(map.handle, { sources: dup, destinations: pts });
    assert.deepEqual(m.durations![0], m.durations![2]);
    assert.deepEqual(m.durations![1], m.durations![4]);
    assert.deepEqual(m.sources[0], m.sources[2]);
    const pairs = matrixPairsOnMap(map.handle, { locations: pts, pairs: [[0, 1], [1, 0], [2, 2]] });
    assert.equal(pairs.durations![2], 0);
    assert.equal(pairs.locations.length, 5);
  });

  it('refuses matrices over the cell limit with TooBig, before any work', async () => {
    const { map } = await monacoMap();
    const pts = toPoints(native.randomRoadPoints(map.handle, 20, 3));
    assert.throws(
      () => matrixOnMap(map.handle, { sources: pts, destinations: pts, maxCells: 399 }),
      (err: unknown) => err instanceof WaymarkError && err.code === 'TooBig',
    );
    // The guard is checked before snapping: even unsnappable points give TooBig.
    const far: LonLat[] = Array.from({ length: 6000 }, () => [0, 0] as LonLat);
    assert.throws(
      () => matrixOnMap(map.handle, { sources: far }),
      (err: unknown) => err instanceof WaymarkError && err.code === 'TooBig',
    );
    assert.equal(matrixOnMap(map.handle, { sources: pts, maxCells: 400 }).durations!.length, 20);
    assert.throws(
      () => matrixPairsOnMap(map.handle, { locations: pts, pairs: [[0, 25]] }),
      (err: unknown) => err instanceof WaymarkError && err.code === 'InvalidValue',
    );
  });

  it('waymark matrix prints an OSRM-shaped table', async () => {
    const { path } = await monacoMap();
    const r = runCli(['matrix', path, '--random', '12', '--sources', '0,1,2', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.durations.length, 3);
    assert.equal(out.durations[0].length, 12);
    assert.equal(out.distances.length, 3);
    assert.equal(out.sources.length, 3);
    assert.equal(out.destinations.length, 12);
    assert.deepEqual(Object.keys(out.sources[0]).sort(), ['distance', 'location', 'name']);
    const bad = runCli(['matrix', path]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--points <file> or --random <n>/);
  });
});
