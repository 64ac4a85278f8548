/**
 * Every OSRM v5 route/table/nearest option is honoured or refused with 400 and a code: field by
 * field against OSRM's documented shapes, over a real listener.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { native } from '../src/native/index.js';
import type { WaymarkServer } from '../src/server/app.js';
import { monacoMap } from './helpers.js';
import { getJson, startServer } from './server-helpers.js';

const A = '7.4197,43.7314';
const B = '7.4265,43.739';
const C = '7.4163,43.7334';

describe('OSRM options: honoured or refused, never dropped', () => {
  let server: WaymarkServer;
  let base: string;
  before(async () => {
    ({ server, base } = await startServer());
  });
  after(async () => {
    await server.close();
  });

  it('refuses documented values not offered with NotImplemented and bad values with InvalidOptions', async () => {
    const cases: [string, string][] = [
      [`/route/v1/car/${A};${C};${B}?alternatives=true`, 'NotImplemented'],
      [`/route/v1/car/${A};${B}?alternatives=9`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?alternatives=maybe`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?steps=yes`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?steps=1`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?annotations=colour`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?continue_straight=sometimes`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?bearings=400,20;`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?bearings=10,20`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?hints=abc;`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?hints=;;`, 'InvalidOptions'],
      [`/table/v1/car/${A};${B}?bearings=10,20`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?approaches=left;`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?exclude=cobbles`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?snapping=nearby`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?generate_hints=1`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?skip_waypoints=no`, 'InvalidOptions'],
      [`/route/v1/car/${A};${C};${B}?waypoints=0;1`, 'InvalidOptions'],
      [`/route/v1/car/${A};${C};${B}?waypoints=1;2`, 'InvalidOptions'],
      [`/route/v1/car/${A};${C};${B}?waypoints=0;2;2`, 'InvalidOptions'],
      [`/table/v1/car/${A};${B}?fallback_speed=-1`, 'InvalidOptions'],
      [`/table/v1/car/${A};${B}?fallback_coordinate=centre`, 'InvalidOptions'],
      [`/table/v1/car/${A};${B}?scale_factor=0`, 'InvalidOptions'],
      [`/table/v1/car/${A};${B}?scale_factor=2&annotations=distance`, 'InvalidOptions'],
      [`/table/v1/car/${A};${B}?approaches=curb`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?approaches=curb`, 'InvalidOptions'],
      [`/nearest/v1/car/${A}?skip_waypoints=true`, 'InvalidOptions'],
    ];
    for (const [path, code] of cases) {
      const res = await getJson(base, path);
      assert.equal(res.status, 400, `${path}: ${JSON.stringify(res.json)}`);
      assert.equal(res.json.code, code, `${path}: ${JSON.stringify(res.json)}`);
      assert.ok(res.json.message.length > 0);
    }
  });

  it('honours the neutral values of every option exactly like leaving them out', async () => {
    const plain = await getJson(base, `/route/v1/car/${A};${B}?overview=false`);
    assert.equal(plain.status, 200);
    const neutral = await getJson(
      base,
      `/route/v1/car/${A};${B}?overview=false&alternatives=false&steps=false&annotations=false&continue_straight=false&bearings=;&hints=;&approaches=unrestricted;&exclude=&snapping=default&generate_hints=true&skip_waypoints=false&waypoints=0;1`,
    );
    assert.equal(neutral.status, 200, JSON.stringify(neutral.json));
    assert.deepEqual(neutral.json, plain.json);
    assert.deepEqual((await getJson(base, `/route/v1/car/${A};${B}?overview=false&alternatives=0&continue_straight=default`)).json, plain.json);
  });

  it('generate_hints=false omits hints, skip_waypoints=true omits waypoints', async () => {
    const noHints = await getJson(base, `/route/v1/car/${A};${B}?overview=false&generate_hints=false`);
    assert.equal(noHints.status, 200);
    for (const w of noHints.json.waypoints) assert.deepEqual(Object.keys(w).sort(), ['distance', 'location', 'name']);
    const skipped = await getJson(base, `/route/v1/car/${A};${B}?overview=false&skip_waypoints=true`);
    assert.equal(skipped.status, 200);
    assert.equal(skipped.json.waypoints, undefined);
    assert.equal(skipped.json.routes.length, 1);
    const table = await getJson(base, `/table/v1/car/${A};${B}?skip_waypoints=true`);
    assert.equal(table.status, 200);
    assert.equal(table.json.sources, undefined);
    assert.equal(table.json.destinations, undefined);
    assert.equal(table.json.durations.length, 2);
    const tableNoHints = await getJson(base, `/table/v1/car/${A};${B}?generate_hints=false`);
    for (const w of tableNoHints.json.sources) assert.equal('hint' in w, false);
    const nearest = await getJson(base, `/nearest/v1/car/${A}?generate_hints=false&number=1`);
    assert.equal(nearest.status, 200);
    assert.equal('hint' in nearest.json.waypoints[0], false);
  });

  it('waypoints turns the other coordinates into via points: fewer legs, same totals', async () => {
    const all = await getJson(base, `/route/v1/car/${A};${C};${B}?overview=false`);
    const via = await getJson(base, `/route/v1/car/${A};${C};${B}?overview=false&waypoints=0;2`);
    assert.equal(via.status, 200, JSON.stringify(via.json));
    assert.equal(all.json.routes[0].legs.length, 2);
    assert.equal(via.json.routes[0].legs.length, 1);
    assert.equal(via.json.waypoints.length, 2);
    assert.deepEqual(via.json.waypoints.map((w: any) => w.location), [all.json.waypoints[0].location, all.json.waypoints[2].location]);
    assert.equal(via.json.routes[0].duration, all.json.routes[0].duration);
    const legSum = all.json.routes[0].legs.reduce((t: number, l: any) => t + l.duration, 0);
    assert.ok(Math.abs(via.json.routes[0].legs[0].duration - legSum) < 0.11);
  });

  it('scale_factor multiplies table durations; snapping=any still routes', async () => {
    const plain = await getJson(base, `/table/v1/car/${A};${B};${C}`);
    const scaled = await getJson(base, `/table/v1/car/${A};${B};${C}?scale_factor=2.5`);
    assert.equal(scaled.status, 200);
    plain.json.durations.forEach((row: number[], i: number) =>
      row.forEach((d, j) => assert.ok(Math.abs(scaled.json.durations[i][j] - 2.5 * d) <= 0.15, `cell ${i},${j}: ${scaled.json.durations[i][j]} vs 2.5 x ${d}`)),
    );
    const any = await getJson(base, `/route/v1/car/${A};${B}?overview=false&snapping=any`);
    assert.equal(any.status, 200);
    assert.ok(any.json.routes[0].duration > 0);
  });

  it('table fallback_speed: cells without a route get the crow-fly estimate, listed in fallback_speed_cells', async () => {
    // A road outside the largest strongly connected component, reachable only with snapping=any.
    const { map } = await monacoMap();
    const h = map.handle;
    const flags = native.mapSection(h, 'segment_flags', 'u8');
    const edgeSegment = native.mapSection(h, 'edge_segment', 'u32');
    const from = native.mapSection(h, 'edge_from', 'u32');
    const to = native.mapSection(h, 'edge_to', 'u32');
    const lon = native.mapSection(h, 'node_lon', 'i32');
    const lat = native.mapSection(h, 'node_lat', 'i32');
    let isolated: [number, number] | undefined;
    for (let e = 0; e < from.length && !isolated; e++) {
      const segs = [edgeSegment[2 * e], edgeSegment[2 * e + 1]].filter((x) => x !== 0xffffffff);
      if (segs.length > 0 && segs.every((x) => (flags[x] & 1) === 0)) {
        isolated = [(lon[from[e]] + lon[to[e]]) / 2e7, (lat[from[e]] + lat[to[e]]) / 2e7];
      }
    }
    assert.ok(isolated, 'Monaco has a road outside the largest component');
    const coords = `${A};${isolated.join(',')};${B}`;
    const plain = await getJson(base, `/table/v1/car/${coords}?snapping=any&annotations=duration,distance`);
    assert.equal(plain.status, 200, JSON.stringify(plain.json));
    const missing: [number, number][] = [];
    plain.json.durations.forEach((row: (number | null)[], i: number) => row.forEach((d, j) => d === null && missing.push([i, j])));
    assert.ok(missing.length > 0, 'some cell has no route');
    assert.equal(plain.json.fallback_speed_cells, undefined);
    const input = [A, isolated.join(','), B].map((p) => p.split(',').map(Number));
    const crow = ([x1, y1]: number[], [x2, y2]: number[]) => {
      const r = Math.PI / 180;
      const a = Math.sin(((y2 - y1) * r) / 2) ** 2 + Math.cos(y1 * r) * Math.cos(y2 * r) * Math.sin(((x2 - x1) * r) / 2) ** 2;
      return 2 * 6371008.8 * Math.asin(Math.sqrt(a));
    };
    const fb = await getJson(base, `/table/v1/car/${coords}?snapping=any&annotations=duration,distance&fallback_speed=10&fallback_coordinate=input`);
    assert.equal(fb.status, 200);
    assert.deepEqual(fb.json.fallback_speed_cells, missing);
    fb.json.durations.forEach((row: number[], i: number) =>
      row.forEach((d, j) => {
        if (missing.some(([p, q]) => p === i && q === j)) {
          assert.ok(Math.abs(fb.json.distances[i][j] - crow(input[i], input[j])) < 1);
          assert.ok(Math.abs(d - crow(input[i], input[j]) / 10) < 0.2);
        } else {
          assert.equal(d, plain.json.durations[i][j]);
        }
      }),
    );
    const snapped = await getJson(base, `/table/v1/car/${coords}?snapping=any&fallback_speed=10&fallback_coordinate=snapped`);
    const [i, j] = missing[0];
    const loc = (k: number) => snapped.json.sources[k].location;
    assert.ok(Math.abs(snapped.json.durations[i][j] - crow(loc(i), loc(j)) / 10) < 0.2);
  });
});

describe('OSRM hints', () => {
  let server: WaymarkServer;
  let base: string;
  before(async () => {
    ({ server, base } = await startServer());
  });
  after(async () => {
    await server.close();
  });

  it('round-trip: a hint is used instead of snapping; a hint of another map version is ignored', async () => {
    const first = await getJson(base, `/route/v1/car/${A};${B}?overview=false`);
    assert.equal(first.status, 200);
    const hints = first.json.waypoints.map((w: any) => w.hint);
    for (const h of hints) assert.match(h, /^[A-Za-z0-9_-]+$/);
    const again = await getJson(base, `/route/v1/car/${A};${B}?overview=false&hints=${hints.join(';')}`);
    assert.deepEqual(again.json, first.json);
    // A hint naming another road on this map moves the waypoint there: hints are really used.
    const [checksum, edge] = Buffer.from(hints[0], 'base64url').toString().split(':');
    const other = Buffer.from(`${checksum}:${Number(edge) === 0 ? 1 : 0}:0.5`).toString('base64url');
    const moved = await getJson(base, `/route/v1/car/${A};${B}?overview=false&hints=${other};`);
    assert.equal(moved.status, 200);
    assert.notDeepEqual(moved.json.waypoints[0].location, first.json.waypoints[0].location);
    // The same hint from another map version (checksum) is ignored: the point is snapped afresh.
    const foreign = Buffer.from(`${'0'.repeat(checksum.length)}:${Number(edge) === 0 ? 1 : 0}:0.5`).toString('base64url');
    const ignored = await getJson(base, `/route/v1/car/${A};${B}?overview=false&hints=${foreign};`);
    assert.deepEqual(ignored.json.waypoints.map((w: any) => w.location), first.json.waypoints.map((w: any) => w.location));
    assert.equal(ignored.json.routes[0].duration, first.json.routes[0].duration);
    const garbage = await getJson(base, `/route/v1/car/${A};${B}?hints=notahint;`);
    assert.equal(garbage.status, 400);
    assert.equal(garbage.json.code, 'InvalidOptions');
  });

  it('table and nearest: hints come back, are used when given back, and another map version\'s are re-snapped', async () => {
    const first = await getJson(base, `/table/v1/car/${A};${B};${C}?annotations=duration,distance`);
    assert.equal(first.status, 200, JSON.stringify(first.json));
    const hints = first.json.sources.map((w: any) => w.hint);
    for (const h of hints) assert.match(h, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(first.json.destinations.map((w: any) => w.hint), hints);
    const again = await getJson(base, `/table/v1/car/${A};${B};${C}?annotations=duration,distance&hints=${hints.join(';')}`);
    assert.deepEqual(again.json, first.json);
    // A hint naming another road is used (the waypoint moves, the row changes); another version's is not.
    const [checksum, edge] = Buffer.from(hints[0], 'base64url').toString().split(':');
    const other = Buffer.from(`${checksum}:${Number(edge) === 0 ? 1 : 0}:0.5`).toString('base64url');
    const moved = await getJson(base, `/table/v1/car/${A};${B};${C}?hints=${other};;`);
    assert.equal(moved.status, 200);
    assert.notDeepEqual(moved.json.sources[0].location, first.json.sources[0].location);
    const foreign = Buffer.from(`${'0'.repeat(checksum.length)}:${Number(edge) === 0 ? 1 : 0}:0.5`).toString('base64url');
    const ignored = await getJson(base, `/table/v1/car/${A};${B};${C}?hints=${foreign};;`);
    assert.deepEqual(ignored.json.durations, first.json.durations);
    assert.deepEqual(ignored.json.sources[0].location, first.json.sources[0].location);
    // Nearest: the hint of the nearest road, given back, gives the same answer; a moved one moves it.
    const near = await getJson(base, `/nearest/v1/car/${A}?number=2`);
    assert.equal(near.status, 200);
    const nh = near.json.waypoints[0].hint;
    assert.match(nh, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual((await getJson(base, `/nearest/v1/car/${A}?number=2&hints=${nh}`)).json, near.json);
    const nearMoved = await getJson(base, `/nearest/v1/car/${A}?hints=${other}`);
    assert.notDeepEqual(nearMoved.json.waypoints[0].location, near.json.waypoints[0].location);
    const nearForeign = await getJson(base, `/nearest/v1/car/${A}?hints=${foreign}`);
    assert.deepEqual(nearForeign.json.waypoints[0].location, near.json.waypoints[0].location);
  });
});

describe('OSRM bearings and approaches on table and nearest', () => {
  let server: WaymarkServer;
  let base: string;
  before(async () => {
    ({ server, base } = await startServer());
  });
  after(async () => {
    await server.close();
  });

  it('table cells equal /route with the same bearings and approaches (the route is the oracle)', async () => {
    const { map } = await monacoMap();
    const pts = native.randomRoadPoints(map.handle, 6, 31);
    const coords = Array.from({ length: 6 }, (_, i) => `${pts[2 * i]},${pts[2 * i + 1] + 0.0001}`);
    const bearings = ['0,90', '', '180,90', '', '90,90', ''];
    const approaches = ['', 'curb', '', 'opposite', 'curb', ''];
    const q = `bearings=${bearings.join(';')}&approaches=${approaches.join(';')}`;
    const table = await getJson(base, `/table/v1/car/${coords.join(';')}?${q}&sources=0;1;2&destinations=3;4;5`);
    assert.equal(table.status, 200, JSON.stringify(table.json));
    const plain = await getJson(base, `/table/v1/car/${coords.join(';')}?sources=0;1;2&destinations=3;4;5`);
    let differ = 0;
    let compared = 0;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const d = 3 + j;
        const route = await getJson(base, `/route/v1/car/${coords[i]};${coords[d]}?overview=false&bearings=${bearings[i]};${bearings[d]}&approaches=${approaches[i]};${approaches[d]}`);
        const cell = table.json.durations[i][j];
        if (route.status !== 200) {
          assert.equal(cell, null);
          continue;
        }
        assert.ok(Math.abs(cell - route.json.routes[0].duration) <= 0.2, `cell ${i},${d}: table ${cell}, route ${route.json.routes[0].duration}`);
        compared++;
        if (cell !== plain.json.durations[i][j]) differ++;
      }
    }
    assert.ok(compared >= 6, `${compared} cells`);
    assert.ok(differ >= 1, 'the wishes change some cells');
  });

  it('nearest: every road listed offers the bearing asked; approaches too', async () => {
    const near = await getJson(base, `/nearest/v1/car/${A}?number=5&bearings=90,30`);
    assert.equal(near.status, 200, JSON.stringify(near.json));
    const all = await getJson(base, `/nearest/v1/car/${A}?number=5`);
    assert.ok(near.json.waypoints.length >= 1);
    // Each road listed is one a route leaving eastwards (90 +- 30) may start on.
    for (const w of near.json.waypoints) {
      const route = await getJson(base, `/route/v1/car/${w.location.join(',')};${B}?overview=false&bearings=90,30;&radiuses=1;`);
      assert.equal(route.status, 200, JSON.stringify(route.json));
    }
    assert.notDeepEqual(near.json.waypoints.map((w: any) => w.location), all.json.waypoints.map((w: any) => w.location));
    const curb = await getJson(base, `/nearest/v1/car/${A}?number=3&approaches=curb`);
    assert.equal(curb.status, 200, JSON.stringify(curb.json));
    const bad = await getJson(base, `/nearest/v1/car/${A}?approaches=left`);
    assert.equal(bad.json.code, 'InvalidOptions');
  });
});

describe('OSRM bearings and approaches on route', () => {
  let server: WaymarkServer;
  let base: string;
  before(async () => {
    ({ server, base } = await startServer());
  });
  after(async () => {
    await server.close();
  });
  const angle = (a: number, b: number) => {
    const d = Math.abs((((a - b) % 360) + 360) % 360);
    return d > 180 ? 360 - d : d;
  };

  it('bearings: the route leaves in the direction asked; approaches: it arrives with the point on the side asked', async () => {
    const { map } = await monacoMap();
    const pts = native.randomRoadPoints(map.handle, 80, 9);
    let turned = 0;
    let sided = 0;
    for (let i = 0; i < 20; i++) {
      const from = `${pts[4 * i]},${pts[4 * i + 1]}`;
      const to = `${pts[4 * i + 2] + 0.0001},${pts[4 * i + 3] + 0.0001}`;
      const plain = await getJson(base, `/route/v1/car/${from};${to}?steps=true&overview=false`);
      if (plain.status !== 200) continue;
      const b0 = plain.json.routes[0].legs[0].steps[0].maneuver.bearing_after;
      const wanted = (b0 + 180) % 360;
      const turnedRes = await getJson(base, `/route/v1/car/${from};${to}?steps=true&overview=false&geometries=geojson&bearings=${wanted},45;`);
      if (turnedRes.status === 200) {
        // The heading of the first piece driven (a maneuver's bearing looks 10 m ahead, past a U-turn at a
        // dead end, which may come after a metre or two).
        const line = turnedRes.json.routes[0].legs[0].steps[0].geometry.coordinates as number[][];
        const [x0, y0] = line[0];
        const far = line.find(([x, y]) => Math.hypot((x - x0) * 80000, (y - y0) * 111000) >= 0.5);
        if (!far) continue;
        const b = (Math.atan2((far[0] - x0) * Math.cos((y0 * Math.PI) / 180), far[1] - y0) * 180) / Math.PI;
        assert.ok(angle((b + 360) % 360, wanted) <= 45 + 10, `left at ${b}, asked ${wanted}`);
        turned++;
      } else {
        assert.equal(turnedRes.json.code, 'NoSegment');
      }
      for (const [approach, side] of [['curb', 'right'], ['opposite', 'left']]) {
        const res = await getJson(base, `/route/v1/car/${from};${to}?steps=true&overview=false&approaches=;${approach}`);
        if (res.status !== 200) continue;
        const arrive = res.json.routes[0].legs[0].steps.at(-1);
        if (arrive.maneuver.modifier === 'straight') continue; // the point is (nearly) on the road
        assert.equal(arrive.maneuver.modifier, side, `approach ${approach}`);
        sided++;
      }
    }
    assert.ok(turned >= 5, `${turned} routes left in the opposite direction`);
    assert.ok(sided >= 10, `${sided} arrivals checked`);
  });
});

describe('OSRM continue_straight', () => {
  let server: WaymarkServer;
  let base: string;
  before(async () => {
    ({ server, base } = await startServer());
  });
  after(async () => {
    await server.close();
  });

  it('true: no turning around at a via point (never faster than turning allowed, sometimes slower)', async () => {
    const { map } = await monacoMap();
    const pts = native.randomRoadPoints(map.handle, 90, 17);
    let slower = 0;
    let checked = 0;
    for (let i = 0; i < 30; i++) {
      const coords = `${pts[6 * i]},${pts[6 * i + 1]};${pts[6 * i + 2]},${pts[6 * i + 3]};${pts[6 * i + 4]},${pts[6 * i + 5]}`;
      const free = await getJson(base, `/route/v1/car/${coords}?overview=false&continue_straight=false&steps=true&geometries=geojson`);
      const straight = await getJson(base, `/route/v1/car/${coords}?overview=false&continue_straight=true&steps=true&geometries=geojson`);
      if (free.status !== 200 || straight.status !== 200) continue;
      checked++;
      assert.ok(straight.json.routes[0].duration >= free.json.routes[0].duration - 0.1);
      if (straight.json.routes[0].duration > free.json.routes[0].duration + 0.1) slower++;
      // Leaving the via point: the first metres of leg 2 head the way the last metres of leg 1 did.
      const [leg1, leg2] = straight.json.routes[0].legs;
      const end = leg1.steps.at(-2).geometry.coordinates as number[][];
      const start = leg2.steps[0].geometry.coordinates as number[][];
      const heading = (a: number[], b: number[]) => (Math.atan2((b[0] - a[0]) * Math.cos((a[1] * Math.PI) / 180), b[1] - a[1]) * 180) / Math.PI;
      const far = (line: number[][], from: number[]) => line.find(([x, y]) => Math.hypot((x - from[0]) * 80000, (y - from[1]) * 111000) >= 2);
      const last = end.at(-1)!;
      const before = [...end].reverse().find(([x, y]) => Math.hypot((x - last[0]) * 80000, (y - last[1]) * 111000) >= 2);
      const after = far(start, start[0]);
      if (!before || !after) continue;
      const turn = Math.abs((((heading(start[0], after) - heading(before, last)) % 360) + 540) % 360 - 180);
      assert.ok(turn < 120, `turned ${turn} degrees at the via point`);
    }
    assert.ok(checked >= 20);
    assert.ok(slower >= 1, 'some routes would have turned around at their via point');
  });
});
