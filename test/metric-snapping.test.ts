/**
 * Snapping on metrics (native/metric/metric.h markComponents): each metric keeps its own strongly
 * connected components over the arcs it leaves open, so a point in a pocket the metric cut off
 * (here: monaco dead-end streets whose way in live traffic closes) snaps to the nearest road that
 * can be reached, and routes; only when nothing else lies within the radius does it snap into the
 * pocket (then a route into it is NoRoute, as OSRM does for small components). A metric that closes
 * nothing snaps exactly as the map. (The exclusion case, an island street reached only over a
 * motorway, is in metric.test.ts.)
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { native, type MapHandle } from '../src/native/index.js';
import { monacoMap } from './helpers.js';

/** The directed OSM segments of edge e, driving from its from-node (dir 0) or towards it (dir 1). */
function osmSegmentsOf(map: MapHandle, e: number, dir: 0 | 1): string[] {
  const nodeId = native.mapSection(map, 'node_osm_id', 'i64');
  const shapeId = native.mapSection(map, 'shape_osm_id', 'i64');
  const from = native.mapSection(map, 'edge_from', 'u32');
  const to = native.mapSection(map, 'edge_to', 'u32');
  const shapeFirst = native.mapSection(map, 'edge_shape_first', 'u32');
  const ids = [nodeId[from[e]], ...shapeId.slice(shapeFirst[e], shapeFirst[e + 1]), nodeId[to[e]]];
  if (dir === 1) ids.reverse();
  const out: string[] = [];
  for (let j = 0; j + 1 < ids.length; j++) out.push(`${ids[j]},${ids[j + 1]}`);
  return out;
}

async function trafficMetric(map: MapHandle, lines: string[], version: number): Promise<MapHandle> {
  const update = native.trafficCreate(map);
  native.trafficPush(update, Buffer.from(lines.join('\n') + '\n'));
  return (await native.trafficFinish(update, version)).metric;
}

describe('snapping on metrics: pockets cut off by closures', () => {
  let map: MapHandle;
  before(async () => {
    map = (await monacoMap()).map.handle;
  });

  it('a point on a dead-end street whose way in is closed snaps to a reachable road and routes; within a tight radius it stays (NoRoute into it)', async () => {
    const from = native.mapSection(map, 'edge_from', 'u32');
    const to = native.mapSection(map, 'edge_to', 'u32');
    const fwd = native.mapSection(map, 'edge_duration_forward', 'u32');
    const bwd = native.mapSection(map, 'edge_duration_backward', 'u32');
    const degree = new Map<number, number>();
    for (let e = 0; e < from.length; e++) for (const v of [from[e], to[e]]) degree.set(v, (degree.get(v) ?? 0) + 1);
    // Two-way dead-end streets under random road points: closing the direction into the dead end
    // leaves the way out reachable from nowhere (a pocket of the metric).
    const pts = native.randomRoadPoints(map, 400, 17);
    const pockets: { point: Float64Array; edge: number; inbound: 0 | 1 }[] = [];
    const seen = new Set<number>();
    for (let i = 0; i < pts.length && pockets.length < 6; i += 2) {
      const point = Float64Array.from([pts[i], pts[i + 1]]);
      const s = native.snap(map, point)[0];
      const e = s.edge;
      if (seen.has(e) || fwd[e] === 0xffffffff || bwd[e] === 0xffffffff || s.distance > 0.5) continue;
      const deadTo = degree.get(to[e]) === 1, deadFrom = degree.get(from[e]) === 1;
      if (deadTo === deadFrom) continue;
      // Clear of other roads by 10 m, so a tight radius holds only this one.
      const near = native.snapNearest(map, point, { number: 2 });
      if (near.length > 1 && near[1].distance < 10) continue;
      seen.add(e);
      pockets.push({ point, edge: e, inbound: deadTo ? 0 : 1 });
    }
    assert.ok(pockets.length >= 3, `${pockets.length} dead-end streets found`);
    const lines = pockets.flatMap((p) => osmSegmentsOf(map, p.edge, p.inbound).map((k) => `${k},0`));
    const metric = await trafficMetric(map, lines, 501);
    const center = [7.4246, 43.7384];
    for (const p of pockets) {
      assert.equal(native.snap(map, p.point)[0].edge, p.edge);
      const snapped = native.snap(metric, p.point)[0];
      assert.notEqual(snapped.edge, p.edge, 'the pocket is not snapped to while a reachable road is in range');
      const coords = Float64Array.from([...center, ...p.point]);
      const r = native.route(metric, coords, { geometry: false });
      assert.equal(r.duration, native.referenceRoute(metric, coords).duration);
      // Tight radius: only the dead-end street is there, so the point snaps onto it; nothing drives in.
      const tight = native.snap(metric, p.point, { radius: 5 })[0];
      assert.equal(tight.edge, p.edge);
      assert.throws(() => native.route(metric, coords, { radiuses: Float64Array.from([Infinity, 5]), geometry: false }), (e: { code: string }) => e.code === 'NoRoute');
      // ... but the way out is open: a route from it exists.
      const out = native.route(metric, Float64Array.from([...p.point, ...center]), { radiuses: Float64Array.from([5, Infinity]), geometry: false });
      assert.ok(out.duration > 0);
    }
    native.metricUnpin(map, 'traffic:501');
  });

  it('a metric that closes nothing snaps exactly as the map', async () => {
    const metric = await trafficMetric(map, [], 502);
    const pts = native.randomRoadPoints(map, 300, 23);
    // Points near roads, not on them: jitter each by up to ~50 m.
    const jittered = pts.map((x, i) => x + (i % 2 ? 0.0004 : 0.0005) * Math.sin(i * 12.9898));
    const a = native.snap(map, Float64Array.from(jittered));
    const b = native.snap(metric, Float64Array.from(jittered));
    assert.deepEqual(b, a);
    for (const radius of [5, 30]) {
      const la = native.snap(map, Float64Array.from(jittered), { radius, lenient: true });
      const lb = native.snap(metric, Float64Array.from(jittered), { radius, lenient: true });
      assert.deepEqual(lb, la);
    }
    native.metricUnpin(map, 'traffic:502');
  });
});
