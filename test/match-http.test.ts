/**
 * /match/v1, POST /match and /trip/v1 on a real listener: OSRM answer shapes, limits and the 400s
 * (with codes) for everything that is refused.
 */
import polyline from '@mapbox/polyline';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { syntheticTrace } from '../bench/match-traces.js';
import type { WaymarkServer } from '../src/server/app.js';
import { monacoMap } from './helpers.js';
import { getJson, postJson, startServer } from './server-helpers.js';

describe('OSRM match and trip over HTTP', () => {
  let server: WaymarkServer;
  let base: string;
  let coords: [number, number][];
  let timestamps: number[];
  before(async () => {
    ({ server, base } = await startServer({ maxMatchCoordinates: 40, maxTripCoordinates: 20 }));
    const { map } = await monacoMap();
    const trace = syntheticTrace(map.handle, 5, { sigma: 5, minInterval: 5, maxInterval: 20, maxPoints: 30 });
    coords = trace.coordinates.map(([lon, lat]) => [Math.round(lon * 1e6) / 1e6, Math.round(lat * 1e6) / 1e6]);
    timestamps = trace.timestamps;
  });
  after(async () => {
    await server.close();
  });

  const path = (pts: [number, number][]) => pts.map((p) => p.join(',')).join(';');

  it('GET /match/v1 answers matchings and tracepoints as OSRM does', async () => {
    const res = await getJson(base, `/match/v1/driving/${path(coords)}?timestamps=${timestamps.join(';')}&radiuses=${coords.map(() => 8).join(';')}&overview=full&annotations=distance,duration`);
    assert.equal(res.status, 200);
    assert.ok(res.headers.get('x-map-version'));
    const { code, matchings, tracepoints } = res.json;
    assert.equal(code, 'Ok');
    assert.equal(tracepoints.length, coords.length);
    assert.ok(matchings.length >= 1);
    const m = matchings[0];
    for (const key of ['confidence', 'geometry', 'legs', 'weight_name', 'weight', 'duration', 'distance']) assert.ok(key in m, key);
    assert.equal(typeof m.geometry, 'string');
    const line = polyline.decode(m.geometry);
    assert.equal(m.legs.reduce((s: number, l: any) => s + l.annotation.distance.length, 0), line.length - 1);
    for (const t of tracepoints.filter((x: unknown) => x !== null)) {
      for (const key of ['location', 'name', 'distance', 'hint', 'matchings_index', 'waypoint_index', 'alternatives_count']) assert.ok(key in t, key);
    }
    assert.deepEqual(m.legs[0].steps, []);
  });

  it('POST /match takes the same parameters as JSON and gives the same answer', async () => {
    const get = await getJson(base, `/match/v1/car/${path(coords)}?timestamps=${timestamps.join(';')}&geometries=geojson&tidy=true`);
    const post = await postJson(base, '/match', { coordinates: coords, timestamps, geometries: 'geojson', tidy: true });
    assert.equal(post.status, 200);
    assert.deepEqual(post.json, get.json);
    assert.equal(post.json.matchings[0].geometry.type, 'LineString');
  });

  it('refuses what it cannot honour, with codes', async () => {
    const p = path(coords.slice(0, 5));
    const cases: [string, number, string][] = [
      [`/match/v1/car/${p}?annotations=colour`, 400, 'InvalidValue'],
      [`/match/v1/car/${p}?bearings=0,20;;;;`, 400, 'InvalidOptions'],
      [`/match/v1/car/${p}?timestamps=5;4;3;2;1`, 400, 'InvalidValue'],
      [`/match/v1/car/${p}?timestamps=1;2;3`, 400, 'InvalidValue'],
      [`/match/v1/car/${p}?radiuses=5;5;-1;5;5`, 400, 'InvalidValue'],
      [`/match/v1/car/${p}?gaps=maybe`, 400, 'InvalidValue'],
      [`/match/v1/car/${p}?waypoints=1;4`, 400, 'InvalidValue'],
      [`/match/v1/car/${p}?waypoints=0;9`, 400, 'InvalidValue'],
      [`/match/v1/car/${path(coords.slice(0, 1))}`, 400, 'InvalidQuery'],
      [`/match/v1/car/${path(Array.from({ length: 41 }, (_, i) => coords[i % coords.length]))}`, 400, 'TooBig'],
      [`/match/v1/car/7.4420,43.7330;7.4440,43.7335`, 400, 'NoMatch'],
      [`/match/v1/plane/${p}`, 400, 'InvalidValue'],
      [`/trip/v1/car/${p}?roundtrip=false`, 400, 'NotImplemented'],
      [`/trip/v1/car/${p}?annotations=duration`, 400, 'NotImplemented'],
      [`/trip/v1/car/${p}?source=middle`, 400, 'InvalidValue'],
      [`/trip/v1/car/${p}?hints=;;;;`, 400, 'InvalidOptions'],
      [`/trip/v1/car/${path(Array.from({ length: 21 }, (_, i) => coords[i % coords.length]))}`, 400, 'TooBig'],
    ];
    for (const [url, status, code] of cases) {
      const res = await getJson(base, url);
      assert.equal(res.status, status, `${url}: ${JSON.stringify(res.json)}`);
      assert.equal(res.json.code, code, url);
      assert.equal(typeof res.json.message, 'string');
    }
    const posts: [unknown, string][] = [
      [{ coordinates: coords.slice(0, 3), colour: 'red' }, 'InvalidOptions'],
      [{ coordinates: coords.slice(0, 3), radiuses: [5, 5] }, 'InvalidValue'],
      [{ coordinates: coords.slice(0, 3), timestamps: [1, 2, -3] }, 'InvalidValue'],
      [{ coordinates: Array.from({ length: 41 }, (_, i) => coords[i % coords.length]) }, 'TooBig'],
      [{ coordinates: [[200, 43], [7.42, 43.73]] }, 'InvalidValue'],
    ];
    for (const [body, code] of posts) {
      const res = await postJson(base, '/match', body);
      assert.equal(res.status, 400, JSON.stringify(res.json));
      assert.equal(res.json.code, code, JSON.stringify(body));
    }
  });

  it('documents the services in /openapi.json', async () => {
    const openapi = await getJson(base, '/openapi.json');
    for (const p of ['/match/v1/{profile}/{coordinates}', '/match', '/trip/v1/{profile}/{coordinates}']) assert.ok(p in openapi.json.paths, p);
  });

  it('GET /trip/v1 answers trips and waypoints as OSRM does', async () => {
    const pts = coords.filter((_, i) => i % 3 === 0).slice(0, 6);
    const res = await getJson(base, `/trip/v1/driving/${path(pts)}?source=first&geometries=polyline6`);
    assert.equal(res.status, 200);
    const { code, trips, waypoints } = res.json;
    assert.equal(code, 'Ok');
    assert.equal(trips.length, 1);
    assert.equal(trips[0].legs.length, pts.length);
    assert.equal(typeof trips[0].geometry, 'string');
    assert.equal(waypoints.length, pts.length);
    assert.equal(waypoints[0].waypoint_index, 0);
    assert.deepEqual(waypoints.map((w: any) => w.waypoint_index).sort(), [...Array(pts.length).keys()]);
    for (const w of waypoints) for (const key of ['hint', 'distance', 'name', 'location', 'trips_index']) assert.ok(key in w, key);
  });
});
