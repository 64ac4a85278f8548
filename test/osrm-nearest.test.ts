/**
 * OSRM nearest with number=N: the N nearest distinct roads, checked against a brute-force scan of
 * every road; `nodes` are the OSM ids of the snapped segment's two nodes, checked against osmium's
 * OPL export of the extract.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { native } from '../src/native/index.js';
import type { WaymarkServer } from '../src/server/app.js';
import { dataPbf, monacoMap } from './helpers.js';
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

/** Node locations (degrees) and consecutive node pairs of every way ("a,b", both orders), from osmium's OPL. */
function readOpl(): { nodes: Map<number, [number, number]>; adjacent: Set<string> } {
  const text = execFileSync('osmium', ['cat', '--no-progress', '-f', 'opl', dataPbf], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const nodes = new Map<number, [number, number]>();
  const adjacent = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('n')) {
      const x = / x(-?[\d.]+)/.exec(line);
      const y = / y(-?[\d.]+)/.exec(line);
      if (x && y) nodes.set(Number(line.slice(1, line.indexOf(' '))), [Number(x[1]), Number(y[1])]);
    } else if (line.startsWith('w')) {
      const ids = (/ N(\S*)/.exec(line)?.[1] ?? '').split(',').filter(Boolean).map((r) => r.slice(1));
      for (let i = 1; i < ids.length; i++) adjacent.add(`${ids[i - 1]},${ids[i]}`).add(`${ids[i]},${ids[i - 1]}`);
    }
  }
  return { nodes, adjacent };
}

/** Metres from p to the segment a-b (local equirectangular projection). */
function toSegment(p: [number, number], a: [number, number], b: [number, number]): number {
  const kx = 111195 * Math.cos((p[1] * Math.PI) / 180);
  const ky = 111195;
  const ax = (a[0] - p[0]) * kx, ay = (a[1] - p[1]) * ky;
  const dx = (b[0] - a[0]) * kx, dy = (b[1] - a[1]) * ky;
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2)) : 0;
  return Math.hypot(ax + t * dx, ay + t * dy);
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
    assert.equal(one.status, 200);
    assert.equal(one.json.waypoints.length, 1);
    const tooMany = await getJson(base, `/nearest/v1/car/${pts[0]},${pts[1]}?number=101`);
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.json.code, 'TooBig');
  });
  it("nodes are the OSM ids of the snapped segment's two nodes, as in the source extract", async () => {
    const opl = readOpl();
    const { map } = await monacoMap();
    const pts = native.randomRoadPoints(map.handle, 40, 11);
    let segments = 0;
    for (let i = 0; i < 40; i++) {
      const lon = pts[2 * i] + ((i % 5) - 2) * 0.0002;
      const lat = pts[2 * i + 1] + ((i % 3) - 1) * 0.0002;
      const res = await getJson(base, `/nearest/v1/car/${lon},${lat}?number=3&snapping=any`);
      assert.equal(res.status, 200, JSON.stringify(res.json));
      for (const w of res.json.waypoints as { nodes: [number, number]; location: [number, number] }[]) {
        const [a, b] = w.nodes;
        assert.ok(Number.isSafeInteger(a) && Number.isSafeInteger(b) && a !== b, JSON.stringify(w.nodes));
        assert.ok(opl.nodes.has(a) && opl.nodes.has(b), `${a} and ${b} are OSM nodes of the extract`);
        assert.ok(opl.adjacent.has(`${a},${b}`), `${a},${b} follow each other in an OSM way`);
        const d = toSegment(w.location, opl.nodes.get(a)!, opl.nodes.get(b)!);
        assert.ok(d < 0.5, `the snapped location ${w.location} lies on segment ${a}-${b} (${d.toFixed(2)} m off)`);
        segments++;
      }
    }
    assert.ok(segments >= 100, `${segments} segments checked`);
  });
});
