import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { WaymarkError } from '../src/errors.js';
import { native, type MapHandle } from '../src/native/index.js';
import { matrixOnMap, matrixPairsOnMap } from '../src/routing/matrix.js';
import type { LonLat } from '../src/routing/route.js';
import { GraphAccess, midpoint } from './graph-access.js';
import { monacoMap, repoRoot, runCli } from './helpers.js';

function toPoints(flat: Float64Array): LonLat[] {
  const out: LonLat[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

/** Midpoints of the first n segments outside the largest component (points no other point reaches). */
function isolatedPoints(map: MapHandle, n: number): LonLat[] {
  const g = new GraphAccess(map);
  const flags = native.mapSection(map, 'segment_flags', 'u8');
  const segEdgeDir = native.mapSection(map, 'segment_edge_dir', 'u32');
  const isolated: LonLat[] = [];
  for (let s = 0; s < flags.length && isolated.length < n; s++) {
    if (flags[s] & 1) continue;
    const p = g.polyline(segEdgeDir[s] >>> 1);
    isolated.push(midpoint(p[0], p[1]));
  }
  return isolated;
}

const ms = (seconds: number) => (Number.isNaN(seconds) ? NaN : Math.round(seconds * 1000));

// Dijkstra's tables on the map and on the same closed-roads metric the child scripts make.
function closedRoadsReferences(handle: MapHandle, metricName: string, src: Float64Array, dst: Float64Array) {
  const edges = native.mapHeader(handle).counts.edges;
  const metric = native.metricOf(handle, metricName, {
    speedFactor: Float64Array.from({ length: edges }, (_, e) => (e % 7 === 3 ? 0 : 1)),
    speedLimit: new Float64Array(edges).fill(Infinity),
    priority: new Float64Array(edges).fill(1),
    distanceInfluence: 0,
  })!;
  return { map: native.referenceTable(handle, src, dst, { allowIsolated: true }), metric: native.referenceTable(metric, src, dst, { allowIsolated: true }) };
}

// The start of a child process's script for the SIMD-variant oracles (the variant is picked once per
// process): the map from argv[1], sources and targets from argv[2], and a metric of the map whose
// every 7th edge is closed.
function closedRoadsChildPrelude(metricName: string): string {
  return `
      import { openMapFile } from ${JSON.stringify(join(repoRoot, 'dist', 'src', 'maps', 'open.js'))};
      import { native } from ${JSON.stringify(join(repoRoot, 'dist', 'src', 'native', 'index.js'))};
      const map = openMapFile(process.argv[1]);
      const [src, dst] = JSON.parse(process.argv[2]).map((a) => Float64Array.from(a));
      const edges = native.mapHeader(map.handle).counts.edges;
      const speedFactor = Float64Array.from({ length: edges }, (_, e) => (e % 7 === 3 ? 0 : 1));
      const metric = native.metricOf(map.handle, ${JSON.stringify(metricName)}, { speedFactor, speedLimit: new Float64Array(edges).fill(Infinity), priority: new Float64Array(edges).fill(1), distanceInfluence: 0 });`;
}


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
    const isolated = isolatedPoints(map.handle, 6);
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

describe('RPHAST matrices (oracle: one-to-all Dijkstra and buckets)', () => {
  it('refuses a WAYMARK_RPHAST_VECTORS width it cannot honour (InvalidValue), rather than sweeping another width', async () => {
    const { map } = await monacoMap();
    const points = native.randomRoadPoints(map.handle, 40, 5);
    process.env.WAYMARK_RPHAST_VECTORS = '3';
    try {
      assert.throws(() => native.matrix(map.handle, points, null, { method: 'rphast' }), (e: Error & { code?: string }) => e.code === 'InvalidValue');
    } finally {
      delete process.env.WAYMARK_RPHAST_VECTORS;
    }
    assert.ok(native.matrix(map.handle, points, null, { method: 'rphast' }).durations);
  });

  const methods = ['buckets', 'rphast'] as const;

  it('both methods equal a one-to-all plain Dijkstra on every cell of a rectangular matrix, to the millisecond', async () => {
    const { map } = await monacoMap();
    // 37 sources: two full batches of 16 lanes and a partial one.
    const src = native.randomRoadPoints(map.handle, 37, 101);
    const dst = native.randomRoadPoints(map.handle, 53, 102);
    const ref = native.referenceTable(map.handle, src, dst);
    for (const method of methods) {
      const m = native.matrix(map.handle, src, dst, { method, timings: true });
      assert.equal(m.timings!.method, method);
      let sameDistance = 0;
      for (let i = 0; i < 37 * 53; i++) {
        assert.equal(ms(m.durations![i]), ms(ref.durations[i]), `${method} cell ${Math.floor(i / 53)},${i % 53}`);
        if (Math.abs(m.distances![i] - ref.distances[i]) <= 0.02) sameDistance++;
      }
      assert.ok(sameDistance >= 0.98 * 37 * 53, `${method}: distances agree on ${sameDistance} cells`);
    }
  });

  it('RPHAST equals buckets cell by cell on 400 x 400, with and without distances, on 1 and 4 threads', async () => {
    const { map } = await monacoMap();
    const pts = native.randomRoadPoints(map.handle, 400, 7);
    const buckets = native.matrix(map.handle, pts, null, { method: 'buckets' });
    const rphast1 = native.matrix(map.handle, pts, null, { method: 'rphast', threads: 1, timings: true });
    const rphast4 = native.matrix(map.handle, pts, null, { method: 'rphast', threads: 4 });
    const durationsOnly = native.matrix(map.handle, pts, null, { method: 'rphast', distances: false });
    // 400 sources on one thread: batches of 32 (two vectors of 16 lanes), the last one partial.
    assert.ok(rphast1.timings!.selectedNodes! > 0 && rphast1.timings!.sweeps === 13 && rphast1.timings!.sweepLanes === 32, JSON.stringify(rphast1.timings));
    // The widest batch (up to 32) that gives each thread one: 400 sources on 4 threads take 32, 100 on 4 threads 16, 100 on 2 threads 32.
    assert.equal(native.matrix(map.handle, pts, null, { method: 'rphast', threads: 4, timings: true }).timings!.sweepLanes, 32);
    assert.equal(native.matrix(map.handle, pts.subarray(0, 200), null, { method: 'rphast', threads: 4, timings: true }).timings!.sweepLanes, 16);
    assert.equal(native.matrix(map.handle, pts.subarray(0, 200), null, { method: 'rphast', threads: 2, timings: true }).timings!.sweepLanes, 32);
    assert.deepEqual(rphast1.durations, buckets.durations);
    assert.deepEqual(rphast4.durations, rphast1.durations);
    assert.deepEqual(rphast4.distances, rphast1.distances);
    assert.deepEqual(durationsOnly.durations, rphast1.durations);
    assert.equal(durationsOnly.distances, undefined);
    let sameDistance = 0;
    for (let i = 0; i < 400 * 400; i++) if (Math.abs(rphast1.distances![i] - buckets.distances![i]) <= 0.02) sameDistance++;
    assert.ok(sameDistance >= 0.98 * 400 * 400, `distances agree on ${sameDistance} cells`);
  });

  it('unreachable pairs are NaN with RPHAST exactly where the oracle finds no path', async () => {
    const { map } = await monacoMap();
    const isolated = isolatedPoints(map.handle, 8);
    const points = [...isolated, ...toPoints(native.randomRoadPoints(map.handle, 20, 5))];
    const flat = Float64Array.from(points.flat());
    const ref = native.referenceTable(map.handle, flat, flat, { allowIsolated: true });
    const m = native.matrix(map.handle, flat, null, { allowIsolated: true, method: 'rphast' });
    let nulls = 0;
    for (let i = 0; i < m.durations!.length; i++) {
      assert.equal(ms(m.durations![i]), ms(ref.durations[i]), `cell ${i}`);
      if (Number.isNaN(m.durations![i])) {
        nulls++;
        assert.ok(Number.isNaN(m.distances![i]));
      }
    }
    assert.ok(nulls > 0, 'some cells are unreachable');
  });

  it('repeated sources and destinations, and sparse pairs, agree between the methods', async () => {
    const { map } = await monacoMap();
    const pts = toPoints(native.randomRoadPoints(map.handle, 30, 12));
    const rows = [...pts, pts[3], pts[3], pts[17]];
    const cols = [pts[5], ...pts, pts[5]];
    const flatRows = Float64Array.from(rows.flat());
    const flatCols = Float64Array.from(cols.flat());
    const a = native.matrix(map.handle, flatRows, flatCols, { method: 'buckets' });
    const b = native.matrix(map.handle, flatRows, flatCols, { method: 'rphast' });
    assert.deepEqual(b.durations, a.durations);
    const pairs = new Uint32Array(3000 * 2);
    for (let i = 0; i < 3000; i++) {
      pairs[2 * i] = (i * 7) % 30;
      pairs[2 * i + 1] = (i * 11 + 3) % 30;
    }
    const flat = Float64Array.from(pts.flat());
    const pa = native.matrixPairs(map.handle, flat, pairs, { method: 'buckets' });
    const pb = native.matrixPairs(map.handle, flat, pairs, { method: 'rphast', timings: true });
    assert.equal(pb.timings!.method, 'rphast');
    assert.deepEqual(pb.durations, pa.durations);
  });

  it('every SIMD variant of the sweep this CPU has (WAYMARK_SIMD) gives the same matrix', async () => {
    const { path } = await monacoMap();
    const script = `
      import { openMapFile } from ${JSON.stringify(join(repoRoot, 'dist', 'src', 'maps', 'open.js'))};
      import { native } from ${JSON.stringify(join(repoRoot, 'dist', 'src', 'native', 'index.js'))};
      const map = openMapFile(process.argv[1]);
      const pts = native.randomRoadPoints(map.handle, 120, 77);
      const m = native.matrix(map.handle, pts, null, { method: 'rphast', timings: true });
      process.stdout.write(JSON.stringify({ simd: m.timings.simd, durations: Array.from(m.durations), distances: Array.from(m.distances) }));`;
    const run = (simd: string) => {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, path], { encoding: 'utf8', env: { ...process.env, WAYMARK_SIMD: simd }, maxBuffer: 64 << 20 });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { simd: string; durations: (number | null)[]; distances: (number | null)[] };
    };
    const widest = run('');
    const baseline = run('baseline');
    assert.equal(baseline.simd, 'baseline');
    assert.ok(['avx512f', 'avx2', 'baseline'].includes(widest.simd), widest.simd);
    const variants = [baseline, run('avx2')];
    for (const v of variants) {
      assert.deepEqual(v.durations, widest.durations, `${v.simd} vs ${widest.simd}`);
      assert.deepEqual(v.distances, widest.distances, `${v.simd} vs ${widest.simd}`);
    }
    const bucketsPts = native.randomRoadPoints((await monacoMap()).map.handle, 120, 77);
    const buckets = native.matrix((await monacoMap()).map.handle, bucketsPts, null, { method: 'buckets' });
    assert.deepEqual(baseline.durations, Array.from(buckets.durations!, (x) => (Number.isNaN(x) ? null : x)));
  });

  it('every batch width (16, 32, 64 lanes) on every SIMD variant equals the one-to-all Dijkstra: partial batches, unreachable pairs, closed roads', async () => {
    const { map, path } = await monacoMap();
    const isolated = isolatedPoints(map.handle, 6);
    // 75 sources: one batch of 64 and 11 more, two of 32 and 11, four of 16 and 11.
    const src = Float64Array.from([...isolated, ...toPoints(native.randomRoadPoints(map.handle, 69, 31))].flat());
    const dst = Float64Array.from([...toPoints(native.randomRoadPoints(map.handle, 40, 32)), ...isolated.slice(0, 3)].flat());
    // Closed roads (a speed factor of 0 on every 7th edge): the matrix runs on the metric's hierarchy.
    const script = `
      ${closedRoadsChildPrelude('test:lanes:closed')}
      const out = {};
      for (const [name, handle] of [['map', map.handle], ['metric', metric]]) {
        const m = native.matrix(handle, src, dst, { method: 'rphast', threads: 1, allowIsolated: true, timings: true });
        const d = native.matrix(handle, src, dst, { method: 'rphast', threads: 2, allowIsolated: true, distances: false });
        out[name] = { simd: m.timings.simd, sweeps: m.timings.sweeps, lanes: m.timings.sweepLanes, durations: Array.from(m.durations), distances: Array.from(m.distances), durationsOnly: Array.from(d.durations) };
      }
      process.stdout.write(JSON.stringify(out));`;
    type Run = Record<'map' | 'metric', { simd: string; sweeps: number; lanes: number; durations: (number | null)[]; distances: (number | null)[]; durationsOnly: (number | null)[] }>;
    const run = (simd: string, vectors: number): Run => {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, path, JSON.stringify([Array.from(src), Array.from(dst)])], {
        encoding: 'utf8',
        env: { ...process.env, WAYMARK_SIMD: simd, WAYMARK_RPHAST_VECTORS: String(vectors) },
        maxBuffer: 64 << 20,
      });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as Run;
    };
    const S = src.length / 2, T = dst.length / 2;
    const refs = closedRoadsReferences(map.handle, 'test:lanes:closed', src, dst);
    const nulls = { map: 0, metric: 0 };
    for (const simd of ['', 'avx2', 'baseline'])
      for (const vectors of [1, 2, 4]) {
        const r = run(simd, vectors);
        for (const name of ['map', 'metric'] as const) {
          const got = r[name], ref = refs[name];
          assert.equal(got.sweeps, Math.ceil(S / (16 * vectors)), `${simd || 'widest'} x${vectors} ${name}: sweeps`);
          assert.equal(got.lanes, 16 * vectors);
          let sameDistance = 0, unreachable = 0;
          for (let i = 0; i < S * T; i++) {
            const want = ms(ref.durations[i]);
            const cell = `${got.simd} x${vectors} ${name} cell ${Math.floor(i / T)},${i % T}`;
            assert.equal(got.durations[i] === null ? NaN : ms(got.durations[i]!), want, cell);
            assert.equal(got.durationsOnly[i] === null ? NaN : ms(got.durationsOnly[i]!), want, `${cell} (durations only, 2 threads)`);
            if (Number.isNaN(want)) unreachable++;
            else if (Math.abs(got.distances[i]! - ref.distances[i]) <= 0.02) sameDistance++;
          }
          assert.ok(sameDistance >= 0.98 * (S * T - unreachable), `${got.simd} x${vectors} ${name}: distances agree on ${sameDistance} cells`);
          nulls[name] = unreachable;
        }
      }
    assert.ok(nulls.map > 0 && nulls.metric > nulls.map, `unreachable cells: ${JSON.stringify(nulls)}`);
  });

  it('auto picks buckets below 16 x 16 and otherwise the method its measured estimate finds cheaper; unknown methods are refused', async () => {
    const { map } = await monacoMap();
    const pts = native.randomRoadPoints(map.handle, 20, 3);
    const small = native.matrix(map.handle, pts.subarray(0, 30), null, { timings: true }).timings!;
    assert.equal(small.method, 'buckets');
    assert.equal(small.estimate, undefined, 'no estimate below 16 x 16');
    assert.equal(native.matrix(map.handle, pts.subarray(0, 2), pts, { timings: true }).timings!.method, 'buckets');
    for (const n of [16, 60]) {
      const p = native.randomRoadPoints(map.handle, n, 40 + n);
      const t = native.matrix(map.handle, p, null, { timings: true }).timings!;
      const e = t.estimate!;
      assert.ok(e.bucketsMs > 0 && e.rphastMs > 0 && e.nsPerSettled > 0 && e.backwardSettledPerTarget > 0, JSON.stringify(e));
      assert.equal(t.method, e.rphastMs < e.bucketsMs ? 'rphast' : 'buckets', JSON.stringify(t));
      // The estimate's selection is the one RPHAST sweeps.
      const r = native.matrix(map.handle, p, null, { method: 'rphast', timings: true }).timings!;
      assert.equal(e.selectionNodes, r.selectedNodes);
      assert.ok(e.selectionArcs >= e.selectionNodes - 1, JSON.stringify(e));
    }
    assert.throws(
      () => native.matrix(map.handle, pts, null, { method: 'phast' as 'rphast' }),
      (err: unknown) => (err as { code?: string }).code === 'InvalidValue',
    );
  });
});

describe('bucket matrices: dense buckets and compact searches (oracle: one-to-all Dijkstra)', () => {
  it('every dense-bucket setting (all dense, default, none) on every SIMD variant equals the Dijkstra: unreachable pairs, closed roads, with and without distances, 1 and 2 threads', async () => {
    const { map, path } = await monacoMap();
    const isolated = isolatedPoints(map.handle, 5);
    // 67 targets: vector passes of 8 (AVX-512) and 4 (AVX2) targets and a scalar tail.
    const src = Float64Array.from([...isolated, ...toPoints(native.randomRoadPoints(map.handle, 45, 61))].flat());
    const dst = Float64Array.from([...toPoints(native.randomRoadPoints(map.handle, 64, 62)), ...isolated.slice(0, 3)].flat());
    const script = `
      ${closedRoadsChildPrelude('test:dense:closed')}
      const out = {};
      for (const [name, handle] of [['map', map.handle], ['metric', metric]]) {
        const m = native.matrix(handle, src, dst, { method: 'buckets', threads: 1, allowIsolated: true, timings: true });
        const d = native.matrix(handle, src, dst, { method: 'buckets', threads: 2, allowIsolated: true, distances: false, timings: true });
        out[name] = { simd: m.timings.simd, dense: m.timings.denseBuckets, denseDurationsOnly: d.timings.denseBuckets, durations: Array.from(m.durations), distances: Array.from(m.distances), durationsOnly: Array.from(d.durations) };
      }
      process.stdout.write(JSON.stringify(out));`;
    type Run = Record<'map' | 'metric', { simd: string; dense: number; denseDurationsOnly: number; durations: (number | null)[]; distances: (number | null)[]; durationsOnly: (number | null)[] }>;
    const run = (simd: string, denseMin: string): Run => {
      const env: NodeJS.ProcessEnv = { ...process.env, WAYMARK_SIMD: simd };
      if (denseMin) env.WAYMARK_DENSE_BUCKET_MIN = denseMin;
      else delete env.WAYMARK_DENSE_BUCKET_MIN;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, path, JSON.stringify([Array.from(src), Array.from(dst)])], { encoding: 'utf8', env, maxBuffer: 64 << 20 });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as Run;
    };
    const S = src.length / 2, T = dst.length / 2;
    const refs = closedRoadsReferences(map.handle, 'test:dense:closed', src, dst);
    const nulls = { map: 0, metric: 0 };
    for (const simd of ['', 'avx2', 'baseline'])
      for (const denseMin of ['1', '', 'off']) {
        const r = run(simd, denseMin);
        for (const name of ['map', 'metric'] as const) {
          const got = r[name], ref = refs[name];
          const label = `${got.simd} dense ${denseMin || 'default'} ${name}`;
          // All dense: every bucket is a row; none: no row; the default: some rows on the map (the
          // closed roads' metric leaves no bucket 64 entries, the default's least).
          assert.equal(got.denseDurationsOnly, got.dense, label);
          if (denseMin === 'off') assert.equal(got.dense, 0, label);
          else if (denseMin === '1' || name === 'map') assert.ok(got.dense > 0, `${label}: ${got.dense} dense buckets`);
          let sameDistance = 0, unreachable = 0;
          for (let i = 0; i < S * T; i++) {
            const want = ms(ref.durations[i]);
            const cell = `${label} cell ${Math.floor(i / T)},${i % T}`;
            assert.equal(got.durations[i] === null ? NaN : ms(got.durations[i]!), want, cell);
            assert.equal(got.durationsOnly[i] === null ? NaN : ms(got.durationsOnly[i]!), want, `${cell} (durations only, 2 threads)`);
            if (Number.isNaN(want)) {
              unreachable++;
              assert.equal(got.distances[i], null, `${cell}: no distance where there is no path`);
            } else if (Math.abs(got.distances[i]! - ref.distances[i]) <= 0.02) sameDistance++;
          }
          assert.ok(sameDistance >= 0.98 * (S * T - unreachable), `${label}: distances agree on ${sameDistance} cells`);
          nulls[name] = unreachable;
        }
      }
    assert.ok(nulls.map > 0 && nulls.metric > nulls.map, `unreachable cells: ${JSON.stringify(nulls)}`);
  });

  it('auto handing a request to buckets (which reuse the endpoints its estimate built) equals the Dijkstra and forced buckets; WAYMARK_BUCKETS_OVERHEAD moves its pick', async () => {
    const { map, path } = await monacoMap();
    // On monaco 1000² the two methods measure within a few per cent of each other, so which one the
    // model picks is left to chance unless the buckets' overhead factor is forced: 0.25 hands the
    // request to buckets, 100 to RPHAST (the estimate is ≈4 against ≈5.5 ms at a factor of 1).
    const script = `
      import { openMapFile } from ${JSON.stringify(join(repoRoot, 'dist', 'src', 'maps', 'open.js'))};
      import { native } from ${JSON.stringify(join(repoRoot, 'dist', 'src', 'native', 'index.js'))};
      const map = openMapFile(process.argv[1]);
      const pts = native.randomRoadPoints(map.handle, 1000, 23);
      const auto = native.matrix(map.handle, pts, null, { timings: true });
      const forced = native.matrix(map.handle, pts, null, { method: auto.timings.method });
      const same = auto.durations.every((d, i) => Object.is(d, forced.durations[i])) && auto.distances.every((d, i) => Object.is(d, forced.distances[i]));
      process.stdout.write(JSON.stringify({ method: auto.timings.method, estimate: auto.timings.estimate, dense: auto.timings.denseBuckets ?? 0, same, rows: Array.from(auto.durations.subarray(0, 40 * 1000)) }));`;
    const pts = native.randomRoadPoints(map.handle, 1000, 23);
    const ref = native.referenceTable(map.handle, pts.subarray(0, 2 * 40), pts);
    for (const [factor, method] of [['0.25', 'buckets'], ['100', 'rphast']] as const) {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, path], { encoding: 'utf8', env: { ...process.env, WAYMARK_BUCKETS_OVERHEAD: factor }, maxBuffer: 64 << 20 });
      assert.equal(r.status, 0, r.stderr);
      const got = JSON.parse(r.stdout) as { method: string; estimate: unknown; dense: number; same: boolean; rows: (number | null)[] };
      assert.equal(got.method, method, `factor ${factor}: ${JSON.stringify(got.estimate)}`);
      if (method === 'buckets') assert.ok(got.dense > 0, 'some buckets are dense rows');
      assert.ok(got.same, `factor ${factor}: auto equals ${method} forced`);
      for (let i = 0; i < 40 * 1000; i++) assert.equal(got.rows[i] === null ? NaN : ms(got.rows[i]!), ms(ref.durations[i]), `factor ${factor} cell ${Math.floor(i / 1000)},${i % 1000}`);
    }
  });

  it('refuses a WAYMARK_DENSE_BUCKET_MIN or WAYMARK_BUCKETS_OVERHEAD it cannot read (InvalidValue), rather than running with another setting', async () => {
    const { path } = await monacoMap();
    const script = `
      import { openMapFile } from ${JSON.stringify(join(repoRoot, 'dist', 'src', 'maps', 'open.js'))};
      import { native } from ${JSON.stringify(join(repoRoot, 'dist', 'src', 'native', 'index.js'))};
      const map = openMapFile(process.argv[1]);
      try {
        native.matrix(map.handle, native.randomRoadPoints(map.handle, 20, 1), null, { method: 'buckets' });
        process.stdout.write('ran');
      } catch (e) {
        process.stdout.write(e.code + ': ' + e.message);
      }`;
    for (const bad of ['0', 'x', '12x', '-3']) {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, path], { encoding: 'utf8', env: { ...process.env, WAYMARK_DENSE_BUCKET_MIN: bad } });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^InvalidValue: WAYMARK_DENSE_BUCKET_MIN/, bad);
    }
    // auto's estimate reads WAYMARK_BUCKETS_OVERHEAD (40 points: enough for an estimate).
    const autoScript = script.replace("native.randomRoadPoints(map.handle, 20, 1), null, { method: 'buckets' }", 'native.randomRoadPoints(map.handle, 40, 1), null, {}');
    assert.notEqual(autoScript, script);
    for (const bad of ['0', 'x', '', '-1', 'inf', '1.5x']) {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', autoScript, path], { encoding: 'utf8', env: { ...process.env, WAYMARK_BUCKETS_OVERHEAD: bad } });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^InvalidValue: WAYMARK_BUCKETS_OVERHEAD/, JSON.stringify(bad));
    }
  });
});
