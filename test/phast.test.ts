import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildMapFromPbf } from '../src/build/build-map.js';
import { openMapFile } from '../src/maps/open.js';
import { native, type MapHandle } from '../src/native/index.js';
import { getProfile } from '../src/profiles/index.js';
import { monacoMap, repoRoot, tempDir } from './helpers.js';

const ms = (seconds: number) => (Number.isNaN(seconds) ? NaN : Math.round(seconds * 1000));

/** PHAST forward and reverse against one-to-all plain Dijkstra per source, cell by cell. */
function checkAgainstDijkstra(map: MapHandle, n: number, seed: number) {
  const pts = native.randomRoadPoints(map, n, seed);
  const ref = native.referenceTable(map, pts, pts);
  const forward = native.phastTable(map, pts, pts, { direction: 'forward' });
  // Reverse: row c is every point -> c, so it is column c of the reference.
  const reverse = native.phastTable(map, pts, pts, { direction: 'reverse' });
  let reachable = 0;
  let sameDistance = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const want = ms(ref.durations[i * n + j]);
      assert.equal(ms(forward.durations[i * n + j]), want, `forward ${i} -> ${j}`);
      assert.equal(ms(reverse.durations[j * n + i]), want, `reverse ${i} -> ${j}`);
      if (!Number.isNaN(want)) reachable++;
      if (Math.abs(forward.distances[i * n + j] - ref.distances[i * n + j]) <= 0.02) sameDistance++;
    }
  }
  // Equal-time paths may differ in length; nearly all agree.
  assert.ok(sameDistance >= n * n * 0.98, `distances agree on ${sameDistance} of ${n * n}`);
  assert.ok(reachable >= n * n * 0.9, `${reachable} of ${n * n} cells reachable`);
}

/** Planar distance in metres from p to the segment a-b (small areas). */
function distanceToSegment(p: number[], ax: number, ay: number, bx: number, by: number): number {
  const k = Math.cos((p[1] * Math.PI) / 180) * 111_320;
  const px = p[0] * k, py = p[1] * 111_320;
  const x1 = ax * k, y1 = ay * 111_320, x2 = bx * k, y2 = by * 111_320;
  const dx = x2 - x1, dy = y2 - y1;
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / len2)) : 0;
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
}

function covered(p: number[], contour: { coordinates: Float64Array; parts: Uint32Array }): boolean {
  const c = contour.coordinates;
  for (let k = 0; k + 1 < contour.parts.length; k++)
    for (let i = contour.parts[k]; i + 1 < contour.parts[k + 1]; i++)
      if (distanceToSegment(p, c[2 * i], c[2 * i + 1], c[2 * i + 2], c[2 * i + 3]) < 0.05) return true;
  return false;
}

describe('PHAST one-to-all on the contraction hierarchy', () => {
  it('forward and reverse equal plain Dijkstra on monaco, to the millisecond (100 x 100)', async () => {
    const { map } = await monacoMap();
    checkAgainstDijkstra(map.handle, 100, 42);
  });

  it('forward and reverse equal plain Dijkstra on a shared extract (london, 40 x 40)', async (t) => {
    const pbf = join(repoRoot, '..', 'shared', 'data', 'osm', 'london.osm.pbf');
    if (!existsSync(pbf)) return t.skip(`${pbf} is not present`);
    const dir = tempDir();
    try {
      const path = join(dir, 'london.car.wmap');
      await buildMapFromPbf({ input: pbf, output: path, profile: getProfile('car') });
      const map = openMapFile(path);
      try {
        checkAgainstDijkstra(map.handle, 40, 5);
      } finally {
        native.releaseMap(map.handle);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parallel runs give the same tables as one thread', async () => {
    const { map } = await monacoMap();
    const pts = native.randomRoadPoints(map.handle, 64, 3);
    for (const direction of ['forward', 'reverse'] as const) {
      const one = native.phastTable(map.handle, pts, pts, { direction, threads: 1 });
      const all = native.phastTable(map.handle, pts, pts, { direction, threads: 4 });
      assert.deepEqual(one.durations, all.durations);
      assert.deepEqual(one.distances, all.distances);
    }
  });

  it('oneToMany reports unsnappable points and matches the table', async () => {
    const { map } = await monacoMap();
    const pts = native.randomRoadPoints(map.handle, 20, 8);
    const center = pts.slice(0, 2);
    const others = Float64Array.from([...pts, 7.5, 43.9]); // the last one is out at sea
    for (const direction of ['forward', 'reverse'] as const) {
      const r = native.oneToMany(map.handle, center, others, { direction, othersRadius: 200 });
      const table = native.phastTable(map.handle, center, pts, { direction });
      assert.equal(r.snapped[20], 0);
      assert.ok(Number.isNaN(r.durations[20]));
      for (let i = 0; i < 20; i++) assert.equal(r.durations[i], table.durations[i]);
      assert.equal(r.durations[0], 0);
    }
  });

  it('isochrone pieces cover exactly the points within the limit (forward and reverse), cut partway', async () => {
    const { map } = await monacoMap();
    const pts = native.randomRoadPoints(map.handle, 400, 21);
    const center = Float64Array.from([7.4197, 43.7314]);
    for (const direction of ['forward', 'reverse'] as const) {
      const limits = Float64Array.from([60, 180]);
      const iso = native.isochrone(map.handle, center, { direction, limits });
      const costs = native.oneToMany(map.handle, center, pts, { direction });
      // A point lying on two roads at once (overlapping ways, junctions) has one cost per road, and a
      // contour may legitimately cover it through the other one: judge only unambiguous points.
      const ambiguous = new Set<number>();
      for (let i = 0; i < 400; i++) {
        const near = native.snapNearest(map.handle, Float64Array.from([pts[2 * i], pts[2 * i + 1]]), { number: 2 });
        if (near.length > 1 && near[1].distance < 0.1) ambiguous.add(i);
      }
      assert.ok(ambiguous.size < 40, `${ambiguous.size} ambiguous points`);
      let inside = 0;
      let cut = 0;
      iso.contours.forEach((contour, k) => {
        for (let i = 0; i < 400; i++) {
          const d = costs.durations[i];
          // A band of 0.5 s around the limit absorbs millisecond rounding at cut points.
          if (Math.abs(d - limits[k]) < 0.5 || ambiguous.has(i)) continue;
          const p = [pts[2 * i], pts[2 * i + 1]];
          assert.equal(covered(p, contour), d < limits[k], `${direction} limit ${limits[k]}: point ${i} at ${d} s`);
          if (d < limits[k]) inside++;
        }
        cut += contour.parts.length;
      });
      assert.ok(inside > 20, `${inside} points inside`);
      assert.ok(cut > 10);
      // The larger contour has more road.
      assert.ok(iso.contours[1].coordinates.length > iso.contours[0].coordinates.length);
    }
  });

  it('refuses bad arguments with codes', async () => {
    const { map } = await monacoMap();
    const c = Float64Array.from([7.4197, 43.7314]);
    const code = (fn: () => unknown) => {
      try {
        fn();
        return 'none';
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    assert.equal(code(() => native.isochrone(map.handle, c, { limits: Float64Array.from([-1]) })), 'InvalidValue');
    assert.equal(code(() => native.isochrone(map.handle, c, { limits: Float64Array.from([60]), direction: 'up' as 'forward' })), 'InvalidValue');
    assert.equal(code(() => native.isochrone(map.handle, Float64Array.from([0, 0]), { limits: Float64Array.from([60]) })), 'NoSegment');
    assert.equal(code(() => native.oneToMany(map.handle, c, Float64Array.from([NaN, 1]), {})), 'InvalidValue');
    assert.equal(code(() => native.snapEach(map.handle, c, { radius: -3 })), 'InvalidValue');
  });
});
