/**
 * Via-way restrictions on a real map (malta has several): the map counts every restriction relation
 * by fate, the edge-based graph holds copies of the via paths, and the CH stays exact against plain
 * Dijkstra on that graph — for random pairs and for pairs placed on the restricted paths themselves.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildMapFromPbf } from '../src/build/build-map.js';
import { openMapFile, type OpenedMap } from '../src/maps/open.js';
import { native } from '../src/native/index.js';
import { getProfile } from '../src/profiles/index.js';
import { GraphAccess, midpoint } from './graph-access.js';
import { repoRoot, runCli, tempDir } from './helpers.js';

const maltaPbf = join(repoRoot, '..', 'shared', 'data', 'osm', 'malta.osm.pbf');
const dir = tempDir('waymark-test-viaway-');
let map: OpenedMap;
let mapPath: string;

before(async () => {
  assert.ok(existsSync(maltaPbf), `${maltaPbf} (../shared) is needed for this test`);
  mapPath = join(dir, 'malta.car.wmap');
  await buildMapFromPbf({ input: maltaPbf, output: mapPath, profile: getProfile('car') });
  map = openMapFile(mapPath);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function edgeMidpoint(g: GraphAccess, e: number): [number, number] {
  const line = g.polyline(e);
  const k = Math.floor((line.length - 1) / 2);
  return midpoint(line[k], line[k + 1]);
}

describe('via-way restrictions on malta', () => {
  it('counts every restriction relation by fate, and applies the via-way ones as segment copies', () => {
    const h = map.header;
    const ignored = Object.values(h.restrictions.ignored).reduce((a, b) => a + b, 0);
    assert.ok(h.restrictions.read > 50, `read ${h.restrictions.read}`);
    assert.equal(h.restrictions.applied + ignored, h.restrictions.read, JSON.stringify(h.restrictions));
    assert.ok(h.counts.viaWayRestrictions >= 1, `via-way restrictions ${h.counts.viaWayRestrictions}`);
    assert.ok(h.counts.segmentCopies >= h.counts.viaWayRestrictions, `segment copies ${h.counts.segmentCopies}`);
    const first = native.mapSection(map.handle, 'via_way_first', 'u32');
    assert.equal(first.length, h.counts.viaWayRestrictions + 1);
    // `waymark info` prints the same counts.
    const info = runCli(['info', mapPath]);
    assert.equal(info.status, 0, info.stderr);
    const printed = JSON.parse(info.stdout) as { restrictions: unknown; counts: { viaWayRestrictions: number } };
    assert.deepEqual(printed.restrictions, h.restrictions);
    assert.equal(printed.counts.viaWayRestrictions, h.counts.viaWayRestrictions);
  });

  it('CH routes equal Dijkstra between points on every via-way path (from, via and to edges)', () => {
    const g = new GraphAccess(map.handle);
    const first = native.mapSection(map.handle, 'via_way_first', 'u32');
    const edges = native.mapSection(map.handle, 'via_way_edges', 'u32');
    const points: [number, number][] = [];
    for (let r = 0; r + 1 < first.length; r++) {
      for (let i = first[r]; i < first[r + 1]; i++) points.push(edgeMidpoint(g, edges[i]));
    }
    let compared = 0;
    for (const a of points) {
      for (const b of points) {
        if (a === b) continue;
        const coords = Float64Array.from([...a, ...b]);
        let ch: number | null = null;
        let ref: number | null = null;
        try {
          ch = native.route(map.handle, coords, { geometry: false }).duration;
        } catch {
          ch = null;
        }
        try {
          ref = native.referenceRoute(map.handle, coords).duration;
        } catch {
          ref = null;
        }
        assert.equal(ch === null ? null : Math.round(ch * 1000), ref === null ? null : Math.round(ref * 1000), `${a} -> ${b}`);
        compared++;
      }
    }
    assert.ok(compared >= 6, `compared ${compared} pairs`);
    // The matrix on the same points agrees with the reference table cell by cell.
    // Both matrix methods (routes may end on the copies of a destination's segment).
    const flat = Float64Array.from(points.flat());
    const t = native.referenceTable(map.handle, flat, flat);
    for (const method of ['buckets', 'rphast'] as const) {
      const durations = native.matrix(map.handle, flat, flat, { method }).durations;
      assert.ok(durations);
      for (let i = 0; i < durations.length; i++) {
        const a = durations[i];
        const b = t.durations[i];
        assert.ok((Number.isNaN(a) && Number.isNaN(b)) || Math.round(a * 1000) === Math.round(b * 1000), `${method} cell ${i}: ${a} vs ${b}`);
      }
    }
  });

  it('CH routes equal Dijkstra on 1,000 random pairs of the map with copies', () => {
    const pts = native.randomRoadPoints(map.handle, 2000, 20261130);
    for (let i = 0; i < 1000; i++) {
      const coords = pts.subarray(4 * i, 4 * i + 4);
      const ch = native.route(map.handle, coords, { geometry: false });
      const ref = native.referenceRoute(map.handle, coords);
      assert.equal(Math.round(ch.duration * 1000), Math.round(ref.duration * 1000), `pair ${i}`);
    }
  });
});
