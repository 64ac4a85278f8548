import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WaymarkError } from '../src/errors.js';
import { native } from '../src/native/index.js';
import { callNative, routeOnMap, type LonLat } from '../src/routing/route.js';
import { CLOSED, GraphAccess, haversine, midpoint } from './graph-access.js';
import { monacoMap, runCli } from './helpers.js';

const PAIRS = 2000;

function flat(points: LonLat[]): Float64Array {
  return Float64Array.from(points.flat());
}

describe('CH route queries equal plain edge-based Dijkstra (the oracle)', () => {
  it(`agrees on ${PAIRS} random snapped pairs, to the millisecond`, async () => {
    const { map } = await monacoMap();
    const pts = native.randomRoadPoints(map.handle, PAIRS * 2, 20261122);
    let sameDistance = 0;
    for (let i = 0; i < PAIRS; i++) {
      const coords = pts.subarray(4 * i, 4 * i + 4);
      const ch = native.route(map.handle, coords, { geometry: false });
      const ref = native.referenceRoute(map.handle, coords);
      assert.equal(Math.round(ch.duration * 1000), Math.round(ref.duration * 1000), `pair ${i} duration`);
      // Equal durations can come from different paths of different length (ties); those are rare.
      if (Math.abs(ch.distance - ref.distance) <= 0.02) sameDistance++;
    }
    assert.ok(sameDistance >= PAIRS * 0.98, `distances agree on ${sameDistance} of ${PAIRS}`);
  });

  it('through the transit table (the top of the hierarchy met by table look-ups): same durations as Dijkstra', async () => {
    // native/transit: on Monaco (1,766 segments) the core is the top 110 nodes. Most answers go
    // through the table; a wrong entry, hop or core test shows as a duration off the oracle's, and
    // a wrong hop in the unpacked path as geometry off the distance (the test below).
    const { map } = await monacoMap();
    const pairs = native.randomRoadPoints(map.handle, 4000, 20261201);
    const ch = native.benchRoutes(map.handle, pairs, 'ch');
    const ref = native.benchRoutes(map.handle, pairs, 'dijkstra');
    let found = 0;
    for (let i = 0; i < ch.durations.length; i++) {
      if (Number.isNaN(ref.durations[i])) assert.ok(Number.isNaN(ch.durations[i]), `pair ${i}: no path, yet CH found one`);
      else {
        assert.equal(Math.round(ch.durations[i] * 1000), Math.round(ref.durations[i] * 1000), `pair ${i}`);
        found++;
      }
    }
    assert.ok(found >= 1900, `${found} pairs routed`);
    assert.ok(ch.chCounts.corePaths >= found * 0.3, `${ch.chCounts.corePaths} of ${found} answers through the transit table`);
    assert.ok(ch.chCounts.corePairs > 0 && ch.chCounts.coreLabels > 0);
  });

  it('route geometry length matches the reported distance', async () => {
    const { map } = await monacoMap();
    const pts = native.randomRoadPoints(map.handle, 200, 7);
    for (let i = 0; i < 100; i++) {
      const r = native.route(map.handle, pts.subarray(4 * i, 4 * i + 4), { geometry: true });
      let length = 0;
      for (let k = 2; k < r.geometry.length; k += 2) {
        length += haversine([r.geometry[k - 2], r.geometry[k - 1]], [r.geometry[k], r.geometry[k + 1]]);
      }
      assert.ok(Math.abs(length - r.distance) <= 0.5 + r.distance * 1e-6, `route ${i}: geometry ${length} vs distance ${r.distance}`);
    }
  });
});

describe('turn restrictions and oneways', () => {
  it('does not take a restricted turn: the route detours and still equals Dijkstra', async () => {
    const { map } = await monacoMap();
    const g = new GraphAccess(map.handle);
    const from = native.mapSection(map.handle, 'restriction_from', 'u32');
    const via = native.mapSection(map.handle, 'restriction_via', 'u32');
    const to = native.mapSection(map.handle, 'restriction_to', 'u32');
    const kind = native.mapSection(map.handle, 'restriction_kind', 'u8');
    let checked = 0;
    for (let i = 0; i < from.length; i++) {
      if (kind[i] !== 1 || from[i] === to[i]) continue; // prohibitive (no_*) restrictions between two roads
      const a = from[i];
      const b = to[i];
      const v = via[i];
      // Approach v along a, leave it along b: both directions must exist.
      const aEndsAtV = g.edgeTo[a] === v;
      const bStartsAtV = g.edgeFrom[b] === v;
      if ((aEndsAtV ? g.forward[a] : g.backward[a]) === CLOSED) continue;
      if ((bStartsAtV ? g.forward[b] : g.backward[b]) === CLOSED) continue;
      const pa = g.polyline(a);
      const pb = g.polyline(b);
      const lastA = aEndsAtV ? midpoint(pa[pa.length - 2], pa[pa.length - 1]) : midpoint(pa[1], pa[0]);
      const firstB = bStartsAtV ? midpoint(pb[0], pb[1]) : midpoint(pb[pb.length - 1], pb[pb.length - 2]);
      const direct = haversine(lastA, g.node(v)) + haversine(g.node(v), firstB);
      const coords = flat([lastA, firstB]);
      const snaps = native.snap(map.handle, coords);
      if (snaps[0].edge !== a || snaps[1].edge !== b) continue; // another road is as close: not a clean subject
      const r = native.route(map.handle, coords, { geometry: false });
      const ref = native.referenceRoute(map.handle, coords);
      assert.equal(Math.round(r.duration * 1000), Math.round(ref.duration * 1000));
      assert.ok(r.distance > direct + 5, `restriction ${i}: route ${r.distance} m must detour around the ${direct.toFixed(1)} m turn`);
      checked++;
    }
    assert.ok(checked >= 3, `checked ${checked} restrictions`);
  });

  it('never drives a oneway backwards', async () => {
    const { map } = await monacoMap();
    const g = new GraphAccess(map.handle);
    let checked = 0;
    for (let e = 0; e < g.edgeFrom.length && checked < 25; e++) {
      const fwdOnly = g.forward[e] !== CLOSED && g.backward[e] === CLOSED;
      const bwdOnly = g.backward[e] === CLOSED ? false : g.forward[e] === CLOSED;
      if (!fwdOnly && !bwdOnly) continue;
      const p = g.polyline(e);
      if (p.length < 3 || g.lengthCm[e] < 6000) continue;
      let early = midpoint(p[0], p[1]);
      let late = midpoint(p[p.length - 2], p[p.length - 1]);
      if (bwdOnly) [early, late] = [late, early]; // "early" is always upstream
      const coords = flat([early, late]);
      const snaps = native.snap(map.handle, coords);
      if (snaps[0].edge !== e || snaps[1].edge !== e) continue;
      const gap = Math.abs(snaps[1].fraction - snaps[0].fraction) * (g.lengthCm[e] / 100);
      const along = native.route(map.handle, coords, { geometry: false });
      assert.ok(Math.abs(along.distance - gap) < 0.05, `edge ${e}: downstream route ${along.distance} m is the direct ${gap} m`);
      const against = native.route(map.handle, flat([late, early]), { geometry: true });
      assert.ok(against.distance > gap + 1, `edge ${e}: upstream route ${against.distance} m must go around, not back ${gap} m`);
      // No step of the route runs along this edge against its direction.
      const forwardOrder = fwdOnly ? p : [...p].reverse();
      const backwardSteps = new Set<string>();
      for (let k = 1; k < forwardOrder.length; k++) backwardSteps.add(`${forwardOrder[k]}|${forwardOrder[k - 1]}`);
      for (let k = 2; k < against.geometry.length; k += 2) {
        const step = `${against.geometry[k - 2]},${against.geometry[k - 1]}|${against.geometry[k]},${against.geometry[k + 1]}`;
        assert.ok(!backwardSteps.has(step), `edge ${e}: route drives the oneway backwards`);
      }
      checked++;
    }
    assert.ok(checked >= 10, `checked ${checked} oneway edges`);
  });
});

describe('errors', () => {
  it('unreachable pairs give NoRoute, exactly where the oracle finds no path', async () => {
    const { map } = await monacoMap();
    const flags = native.mapSection(map.handle, 'segment_flags', 'u8');
    const segEdgeDir = native.mapSection(map.handle, 'segment_edge_dir', 'u32');
    const g = new GraphAccess(map.handle);
    const inside = native.randomRoadPoints(map.handle, 1, 3);
    let noRoutes = 0;
    let subjects = 0;
    for (let s = 0; s < flags.length; s++) {
      if (flags[s] & 1) continue;
      const e = segEdgeDir[s] >>> 1;
      const p = g.polyline(e);
      const isolated = midpoint(p[0], p[1]);
      const snap = native.snap(map.handle, flat([isolated]), { allowIsolated: true })[0];
      if (snap.edge !== e) continue;
      subjects++;
      for (const coords of [flat([isolated, [inside[0], inside[1]]]), flat([[inside[0], inside[1]], isolated])]) {
        const options = { allowIsolated: true, geometry: false };
        let ch: string | number;
        let ref: string | number;
        try {
          ch = native.route(map.handle, coords, options).duration;
        } catch (err) {
          ch = (err as { code: string }).code;
        }
        try {
          ref = native.referenceRoute(map.handle, coords, options).duration;
        } catch (err) {
          ref = (err as { code: string }).code;
        }
        assert.equal(ch, ref);
        if (ch === 'NoRoute') noRoutes++;
      }
    }
    assert.ok(subjects > 0, 'the real data has segments outside the largest component');
    assert.ok(noRoutes > 0, 'some of them cannot be routed to or from the main network');
  });

  it('rejects invalid coordinates with clear errors', async () => {
    const { map } = await monacoMap();
    const code = (coords: LonLat[], options: { radius?: number } = {}) => {
      try {
        callNative(() => native.route(map.handle, flat(coords), options));
        return 'ok';
      } catch (err) {
        assert.ok(err instanceof WaymarkError);
        assert.ok(err.message.length > 10);
        return err.code;
      }
    };
    const monaco: LonLat = [7.4197, 43.7314];
    assert.equal(code([monaco, [NaN, 43.73]]), 'InvalidValue');
    assert.equal(code([monaco, [7.42, Infinity]]), 'InvalidValue');
    assert.equal(code([monaco, [190, 43.73]]), 'InvalidValue');
    assert.equal(code([monaco, [7.42, -91]]), 'InvalidValue');
    assert.equal(code([monaco, [2.35, 48.85]]), 'NoSegment'); // Paris: outside the map
    assert.equal(code([monaco, [7.43, 43.70]], { radius: 1000 }), 'NoSegment'); // at sea, 3 km out
    assert.equal(code([monaco, [7.43, 43.70]]), 'ok'); // the default radius is unlimited, as OSRM's
    assert.equal(code([monaco]), 'InvalidValue');
    assert.equal(code([monaco, [7.4265, 43.739]]), 'ok');
  });
});

describe('route output', () => {
  it('has duration, distance, geometry, legs with names, and snapped waypoints (via points too)', async () => {
    const { map } = await monacoMap();
    const r = routeOnMap(map.handle, {
      coordinates: [
        [7.4197, 43.7314],
        [7.4265, 43.739],
        [7.4163, 43.7334],
      ],
      geometry: 'geojson',
    });
    assert.equal(r.legs.length, 2);
    assert.ok(r.duration > 0 && r.distance > 0);
    assert.equal(Math.round(r.legs[0].duration + r.legs[1].duration), Math.round(r.duration));
    assert.ok(r.legs.every((l) => l.names.length > 0 && typeof l.summary === 'string'));
    assert.equal(r.waypoints.length, 3);
    assert.ok(r.waypoints.every((w) => w.distance >= 0 && w.distance < 100 && w.location.length === 2));
    const geometry = r.geometry as { type: string; coordinates: LonLat[] };
    assert.equal(geometry.type, 'LineString');
    assert.ok(geometry.coordinates.length > 10);
    const polyline = routeOnMap(map.handle, { coordinates: [[7.4197, 43.7314], [7.4265, 43.739]], geometry: 'polyline' });
    assert.equal(typeof polyline.geometry, 'string');
  });

  it('waymark route prints the route as JSON', async () => {
    const { path } = await monacoMap();
    const r = runCli(['route', path, '7.4197,43.7314', '7.4265,43.7390']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    for (const key of ['duration', 'distance', 'geometry', 'legs', 'waypoints']) assert.ok(key in out, key);
    assert.equal(out.waypoints[0].name.length > 0, true);
    const bad = runCli(['route', path, '7.4197,43.7314', 'x,y']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /\[InvalidValue\]/);
  });
});
