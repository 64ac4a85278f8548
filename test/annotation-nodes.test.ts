/**
 * annotations=nodes on /route and /match, and the step `ref`: OSM node ids as OSRM shapes them (one
 * per coordinate of a leg, the first and last being the road's nodes before the start and after the
 * end) and way refs, checked over real HTTP against osmium's own OPL export of the bundled extract.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { syntheticTrace } from '../bench/match-traces.js';
import { native } from '../src/native/index.js';
import type { WaymarkServer } from '../src/server/app.js';
import { dataPbf, monacoMap } from './helpers.js';
import { getJson, startServer } from './server-helpers.js';

interface Opl {
  nodes: Map<number, [number, number]>;
  adjacent: Set<string>;
  refs: Set<string>;
}

function readOpl(): Opl {
  const text = execFileSync('osmium', ['cat', '--no-progress', '-f', 'opl', dataPbf], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const opl: Opl = { nodes: new Map(), adjacent: new Set(), refs: new Set() };
  for (const line of text.split('\n')) {
    if (line.startsWith('n')) {
      const x = / x(-?[\d.]+)/.exec(line);
      const y = / y(-?[\d.]+)/.exec(line);
      if (x && y) opl.nodes.set(Number(line.slice(1, line.indexOf(' '))), [Number(x[1]), Number(y[1])]);
    } else if (line.startsWith('w')) {
      const tags = / T(\S*)/.exec(line)?.[1] ?? '';
      for (const kv of tags.split(',')) if (kv.startsWith('ref=')) opl.refs.add(kv.slice(4).replace(/%20%/g, ' '));
      const ids = (/ N(\S*)/.exec(line)?.[1] ?? '').split(',').filter(Boolean).map((s) => s.slice(1));
      for (let i = 1; i < ids.length; i++) opl.adjacent.add(`${ids[i - 1]},${ids[i]}`).add(`${ids[i]},${ids[i - 1]}`);
    }
  }
  return opl;
}

/** Metres from p to the segment a-b (flat earth: a few metres around Monaco). */
function toSegmentM(p: [number, number], a: [number, number], b: [number, number]): number {
  const kx = 111320 * Math.cos((p[1] * Math.PI) / 180);
  const ky = 110540;
  const [px, py, ax, ay, bx, by] = [p[0] * kx, p[1] * ky, a[0] * kx, a[1] * ky, b[0] * kx, b[1] * ky];
  const l2 = (bx - ax) ** 2 + (by - ay) ** 2;
  const t = l2 > 0 ? Math.max(0, Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / l2)) : 0;
  return Math.hypot(px - (ax + t * (bx - ax)), py - (ay + t * (by - ay)));
}

/** The nodes of one leg against its coordinates: OSRM's shape, real nodes, consecutive on ways. */
function checkNodes(opl: Opl, nodes: number[], coords: [number, number][], pairs: number): void {
  assert.equal(nodes.length, pairs + 1, 'one node per coordinate');
  assert.equal(coords.length, nodes.length);
  const at = (id: number) => {
    const p = opl.nodes.get(id);
    assert.ok(p, `node ${id} is not in the extract`);
    return p;
  };
  for (let i = 1; i + 1 < nodes.length; i++) {
    const p = at(nodes[i]);
    assert.ok(Math.abs(p[0] - coords[i][0]) < 2e-6 && Math.abs(p[1] - coords[i][1]) < 2e-6, `node ${nodes[i]} at ${p}, coordinate ${coords[i]}`);
  }
  for (let i = 1; i < nodes.length; i++) assert.ok(opl.adjacent.has(`${nodes[i - 1]},${nodes[i]}`), `${nodes[i - 1]} -> ${nodes[i]} on no way`);
  // The ends lie on the road between their node and the next (or previous) one.
  if (nodes.length >= 2) {
    assert.ok(toSegmentM(coords[0], at(nodes[0]), at(nodes[1])) < 0.5, 'start on its first road piece');
    assert.ok(toSegmentM(coords.at(-1)!, at(nodes.at(-2)!), at(nodes.at(-1)!)) < 0.5, 'end on its last road piece');
  }
}

describe('annotations=nodes and step refs', () => {
  let server: WaymarkServer;
  let base: string;
  let opl: Opl;
  before(async () => {
    ({ server, base } = await startServer());
    opl = readOpl();
  });
  after(async () => {
    await server.close();
  });

  it('route: OSM node ids per coordinate of 40 random Monaco routes, real nodes along real ways', async () => {
    const { map } = await monacoMap();
    const pts = native.randomRoadPoints(map.handle, 80, 21);
    let checked = 0;
    for (let i = 0; i < 40; i++) {
      const res = await getJson(base, `/route/v1/car/${pts[4 * i]},${pts[4 * i + 1]};${pts[4 * i + 2]},${pts[4 * i + 3]}?annotations=nodes,distance&overview=full&geometries=geojson`);
      if (res.status !== 200) continue;
      const route = res.json.routes[0];
      const a = route.legs[0].annotation;
      checkNodes(opl, a.nodes, route.geometry.coordinates, a.distance.length);
      checked++;
    }
    assert.ok(checked >= 30, `${checked} routes`);
  });

  it('route: annotations=true includes nodes; legs joined at via points list the via node once', async () => {
    const all = await getJson(base, '/route/v1/car/7.4197,43.7314;7.4265,43.739?annotations=true&overview=full&geometries=geojson');
    assert.equal(all.status, 200, JSON.stringify(all.json));
    const a = all.json.routes[0].legs[0].annotation;
    for (const k of ['duration', 'distance', 'speed', 'weight', 'nodes', 'datasource']) assert.ok(k in a, k);
    checkNodes(opl, a.nodes, all.json.routes[0].geometry.coordinates, a.distance.length);
    const via = await getJson(base, '/route/v1/car/7.4197,43.7314;7.4163,43.7334;7.4265,43.739?annotations=nodes,distance&overview=full&geometries=geojson&waypoints=0;2');
    assert.equal(via.status, 200, JSON.stringify(via.json));
    const v = via.json.routes[0].legs[0].annotation;
    assert.equal(v.nodes.length, v.distance.length + 1);
    for (let i = 1; i < v.nodes.length; i++) assert.ok(v.nodes[i] === v.nodes[i - 1] || opl.adjacent.has(`${v.nodes[i - 1]},${v.nodes[i]}`));
  });

  it('match: OSM node ids per coordinate of the matched legs', async () => {
    const { map } = await monacoMap();
    let checked = 0;
    for (const seed of [2, 4, 6]) {
      const trace = syntheticTrace(map.handle, seed, { sigma: 5, minInterval: 5, maxInterval: 15, maxPoints: 20 });
      const coords = trace.coordinates.map(([lon, lat]) => `${lon.toFixed(6)},${lat.toFixed(6)}`).join(';');
      const res = await getJson(base, `/match/v1/car/${coords}?annotations=nodes,distance&overview=full&geometries=geojson&timestamps=${trace.timestamps.join(';')}`);
      assert.equal(res.status, 200, JSON.stringify(res.json));
      for (const m of res.json.matchings) {
        const line = m.geometry.coordinates as [number, number][];
        let first = 0;
        for (const leg of m.legs) {
          const pairs = leg.annotation.distance.length;
          if (pairs === 0) continue; // standing still
          checkNodes(opl, leg.annotation.nodes, line.slice(first, first + pairs + 1), pairs);
          first += pairs;
          checked++;
        }
      }
    }
    assert.ok(checked >= 10, `${checked} legs`);
    const all = await getJson(base, '/match/v1/car/7.4197,43.7314;7.4210,43.7320;7.4225,43.7330?annotations=true');
    assert.equal(all.status, 200, JSON.stringify(all.json));
    assert.ok('nodes' in all.json.matchings[0].legs[0].annotation);
  });

  it('steps carry the ref of ways that have one (and only those)', async () => {
    const { map } = await monacoMap();
    const pts = native.randomRoadPoints(map.handle, 120, 5);
    let withRef = 0;
    let steps = 0;
    for (let i = 0; i < 60; i++) {
      const res = await getJson(base, `/route/v1/car/${pts[4 * i]},${pts[4 * i + 1]};${pts[4 * i + 2]},${pts[4 * i + 3]}?steps=true&overview=false`);
      if (res.status !== 200) continue;
      for (const s of res.json.routes[0].legs[0].steps) {
        steps++;
        if (!('ref' in s)) continue;
        withRef++;
        assert.ok(opl.refs.has(s.ref), `ref ${s.ref} is on no way of the extract`);
      }
    }
    assert.ok(steps > 100 && withRef > 0, `${withRef} of ${steps} steps with a ref`);
  });
});
