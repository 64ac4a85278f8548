/** OSRM nearest with number=N: the N nearest distinct roads, checked against a brute-force scan of every road. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { native } from '../src/native/index.js';
import type { WaymarkServer } from '../src/server/app.js';
import { monacoMap } from './helpers.js';
import { getJson, startServer } from './server-helpers.js';

/** Distance in metres from a point to every road polyline of the map (local equirectangular projection). */
function distancesToEveryRoad(handle: Parameters<typeof native.mapSection>[0], lon: number, lat: number): number[] {
  const from = native.mapSection(handle, 'edge_from', 'u32');
  const to = native.mapSection(handle, 'edge_to', 'u32');
  const shapeFirst = native.mapSection(handle, 'edge_shape_first', 'u32');
  const nodeLon = native.mapSection(handle, 'node_lon', 'i32');
  const nodeLat = native.mapSection(handle, 'node_lat', 'i32');
  const shapeLon = native.mapSection(handle, 'shape_lon', 'i32');
  const shapeLat = native.mapSection(handle, 'shape_lat', 'i32');
  const kx = 111195 * Math.cos((lat * Math.PI) / 180);
  const ky = 111195;
  const out: number[] = [];
  for (let e = 0; e < from.length; e++) {
    const pts: [number, number][] = [[nodeLon[from[e]] / 1e7, nodeLat[from[e]] / 1e7]];
    for (let i = shapeFirst[e]; i < shapeFirst[e + 1]; i++) pts.push([shapeLon[i] / 1e7, shapeLat[i] / 1e7]);
    pts.push([nodeLon[to[e]] / 1e7, nodeLat[to[e]] / 1e7]);
    let best = Infinity;
    for (let i = 0; i + 1 < pts.length; i++) {
      const ax = (pts[i][0] - lon) * kx, ay = (pts[i][1] - lat) * ky;
      const bx = (pts[i + 1][0] - lon) * kx, by = (pts[i + 1][1] - lat) * ky;
      const dx = bx - ax, dy = by - ay;
      const len2 = dx * dx + dy * dy;
      const t = len2 > 0 ? Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2)) : 0;
      best = Math.min(best, Math.hypot(ax + t * dx, ay + t * dy));
    }
    out.push(best);
  }
  return out;
}

describe('OSRM nearest number=N', () => {
  let server: WaymarkServer;
  let base: string;
  before(async () => {
    ({ server, base } = await startServer());
  });
  after(async () => {
    await server.close();
  });

  it('returns the N nearest distinct roads in order, equal to a brute-force scan', async () => {
    const { map } = await monacoMap();
    const pts = native.randomRoadPoints(map.handle, 8, 5);
    for (let i = 0; i < 8; i++) {
      // Off the road a little, so several roads are near.
      const lon = pts[2 * i] + 0.0003;
      const lat = pts[2 * i + 1] - 0.0002;
      const res = await getJson(base, `/nearest/v1/car/${lon},${lat}?number=5&snapping=any`);
      assert.equal(res.status, 200, JSON.stringify(res.json));
      const ws = res.json.waypoints;
      assert.equal(ws.length, 5);
      for (const w of ws) assert.deepEqual(Object.keys(w).sort(), ['distance', 'hint', 'location', 'name', 'nodes']);
      const nodePairs = new Set(ws.map((w: any) => w.nodes.join(',')));
      assert.equal(nodePairs.size, 5, 'distinct roads');
      const brute = distancesToEveryRoad(map.handle, lon, lat).sort((a, b) => a - b).slice(0, 5);
      ws.forEach((w: any, k: number) => {
        assert.ok(Math.abs(w.distance - brute[k]) < 0.5, `nearest ${k}: ${w.distance} m, brute force ${brute[k]} m`);
        if (k > 0) assert.ok(w.distance >= ws[k - 1].distance);
      });
    }
    const one = await getJson(base, `/nearest/v1/car/${pts[0]},${pts[1]}`);
    assert.equal(one.json.waypoints.length, 1);
    const tooMany = await getJson(base, `/nearest/v1/car/${pts[0]},${pts[1]}?number=101`);
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.json.code, 'TooBig');
  });
});
