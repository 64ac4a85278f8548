/**
 * Turn-by-turn steps on the bundled Monaco map, spoken by osrm-text-instructions (the package OSRM
 * clients use): every step of real routes becomes an English instruction, steps add up to their
 * leg, and hand-checked routes say what a driver expects.
 */
import polyline from '@mapbox/polyline';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { syntheticTrace } from '../bench/match-traces.js';
import { native } from '../src/native/index.js';
import type { WaymarkServer } from '../src/server/app.js';
import { monacoMap } from './helpers.js';
import { getJson, postJson, startServer } from './server-helpers.js';

const require = createRequire(import.meta.url);
const instructions = require('osrm-text-instructions')('v5') as { compile(language: string, step: unknown, options?: unknown): string };

const ROUNDABOUTS = '7.4286739,43.7459869;7.4272792,43.7396894';

/**
 * A leg's steps are well-formed OSRM steps: one depart first, one arrive last, adding up to the leg,
 * joined end to start, each spoken by osrm-text-instructions.
 */
export function checkLegSteps(leg: any, geometries: 'geojson' | 'polyline' | 'polyline6', drivingSide = 'right'): string[] {
  assert.equal(leg.steps[0].maneuver.type, 'depart');
  assert.equal(leg.steps[leg.steps.length - 1].maneuver.type, 'arrive');
  assert.equal(leg.steps.filter((s: any) => s.maneuver.type === 'depart').length, 1);
  assert.equal(leg.steps.filter((s: any) => s.maneuver.type === 'arrive').length, 1);
  const sum = (k: string) => leg.steps.reduce((t: number, s: any) => t + s[k], 0);
  assert.ok(Math.abs(sum('duration') - leg.duration) <= 0.1 * leg.steps.length + 0.1, `durations ${sum('duration')} vs ${leg.duration}`);
  assert.ok(Math.abs(sum('distance') - leg.distance) <= 0.1 * leg.steps.length + 0.1, `distances ${sum('distance')} vs ${leg.distance}`);
  const line = (g: any): [number, number][] =>
    geometries === 'geojson' ? g.coordinates : polyline.decode(g, geometries === 'polyline6' ? 6 : 5).map(([lat, lon]) => [lon, lat]);
  const near = (a: [number, number], b: [number, number]) => Math.abs(a[0] - b[0]) < 2e-5 && Math.abs(a[1] - b[1]) < 2e-5;
  return leg.steps.map((s: any, k: number) => {
    for (const key of ['geometry', 'maneuver', 'mode', 'driving_side', 'name', 'intersections', 'weight', 'duration', 'distance']) assert.ok(key in s, `step.${key}`);
    assert.equal(s.driving_side, drivingSide);
    const coords = line(s.geometry);
    assert.ok(coords.length >= 2);
    assert.ok(near(coords[0], s.maneuver.location), 'a step starts at its maneuver');
    if (k + 1 < leg.steps.length) assert.ok(near(coords.at(-1)!, leg.steps[k + 1].maneuver.location), 'steps join up');
    assert.ok(['driving', 'ferry'].includes(s.mode));
    assert.ok(s.maneuver.bearing_before >= 0 && s.maneuver.bearing_before < 360);
    assert.ok(s.maneuver.bearing_after >= 0 && s.maneuver.bearing_after < 360);
    const first = s.intersections[0];
    assert.deepEqual(first.location, s.maneuver.location);
    for (const x of s.intersections) {
      assert.equal(x.bearings.length, x.entry.length);
      assert.deepEqual([...x.bearings].sort((p: number, q: number) => p - q), x.bearings, 'bearings ascending');
      if (x.out !== undefined) assert.ok(x.out >= 0 && x.out < x.bearings.length && x.entry[x.out]);
      if (x.in !== undefined) assert.ok(x.in >= 0 && x.in < x.bearings.length);
    }
    if (s.maneuver.type !== 'depart' && s.maneuver.type !== 'arrive') assert.equal(first.bearings[first.out], s.maneuver.bearing_after);
    if (s.maneuver.type === 'roundabout' && k + 2 < leg.steps.length) {
      assert.ok(s.maneuver.exit >= 1);
      assert.equal(leg.steps[k + 1].maneuver.type, 'exit roundabout');
      assert.equal(leg.steps[k + 1].maneuver.exit, s.maneuver.exit);
    }
    // No step for a straight continuation along the same street.
    if (k > 0 && k + 1 < leg.steps.length && s.maneuver.type === 'continue') assert.notEqual(s.maneuver.modifier, 'straight');
    const text = instructions.compile('en', s);
    assert.equal(typeof text, 'string');
    assert.ok(text.length > 0, `no instruction for ${JSON.stringify(s.maneuver)}`);
    return text;
  });
}

describe('turn-by-turn steps (steps=true)', () => {
  let server: WaymarkServer;
  let base: string;
  before(async () => {
    ({ server, base } = await startServer());
  });
  after(async () => {
    await server.close();
  });

  it('every step of 60 random Monaco routes is a well-formed OSRM step with a non-empty English instruction', async () => {
    const { map } = await monacoMap();
    const pts = native.randomRoadPoints(map.handle, 120, 12);
    let steps = 0;
    const types = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const coords = `${pts[4 * i]},${pts[4 * i + 1]};${pts[4 * i + 2]},${pts[4 * i + 3]}`;
      const res = await getJson(base, `/route/v1/car/${coords}?steps=true&geometries=geojson&overview=full`);
      if (res.status !== 200) continue;
      const route = res.json.routes[0];
      const leg = route.legs[0];
      checkLegSteps(leg, 'geojson');
      steps += leg.steps.length;
      for (const st of leg.steps) types.add(st.maneuver.type);
    }
    assert.ok(steps > 200, `${steps} steps`);
    for (const t of ['depart', 'arrive', 'turn', 'new name', 'roundabout', 'exit roundabout']) assert.ok(types.has(t), `no ${t} step in the sample`);
  });

  it('hand-checked: roundabout exit numbers, a named turn, arrival (Moneghetti to Monte-Carlo)', async () => {
    const res = await getJson(base, `/route/v1/car/${ROUNDABOUTS}?steps=true&overview=false`);
    assert.equal(res.status, 200);
    const texts = res.json.routes[0].legs[0].steps.map((s: any) => instructions.compile('en', s));
    assert.ok(texts.includes("Enter the roundabout and take the 2nd exit onto Boulevard d'Italie"), texts.join('\n'));
    assert.ok(texts.includes('Enter the roundabout and take the 3rd exit onto Avenue de la Madone'), texts.join('\n'));
    assert.ok(texts.includes('Exit the roundabout onto Avenue de la Madone'), texts.join('\n'));
    assert.ok(texts.includes('Turn right onto Avenue des Spélugues'), texts.join('\n'));
    assert.match(texts.at(-1), /^You have arrived at your destination/);
    // Starting on a ring: no step per junction around it, one to leave it.
    assert.equal(texts[1], 'Exit the roundabout onto Rue Révérend Père Louis Frolla', texts.join('\n'));
  });

  it('hand-checked: the arrival names the side of the road the destination lies on', async () => {
    // The destination lies off the road; the side is checked with a planar cross product.
    const res = await getJson(base, '/route/v1/car/7.4197,43.7314;7.4265,43.739?steps=true&geometries=geojson&overview=full');
    const leg = res.json.routes[0].legs[0];
    const arrive = leg.steps.at(-1);
    const line = res.json.routes[0].geometry.coordinates as [number, number][];
    const [p, q] = [line.at(-2)!, line.at(-1)!];
    const cross = (q[0] - p[0]) * (43.739 - q[1]) - (q[1] - p[1]) * (7.4265 - q[0]);
    assert.equal(arrive.maneuver.modifier, cross < 0 ? 'right' : 'left');
    assert.match(instructions.compile('en', arrive), new RegExp(`on the ${arrive.maneuver.modifier}`));
    assert.deepEqual(arrive.geometry.coordinates, [arrive.maneuver.location, arrive.maneuver.location]);
  });

  it('steps honour the geometry encoding and via points keep one depart and one arrive per leg', async () => {
    const poly = await getJson(base, `/route/v1/car/${ROUNDABOUTS}?steps=true&geometries=polyline6&overview=false`);
    assert.equal(typeof poly.json.routes[0].legs[0].steps[0].geometry, 'string');
    const via = await getJson(base, '/route/v1/car/7.4197,43.7314;7.4163,43.7334;7.4265,43.739?steps=true&overview=false&waypoints=0;2');
    assert.equal(via.status, 200);
    const types = via.json.routes[0].legs[0].steps.map((s: any) => s.maneuver.type);
    assert.equal(types.filter((t: string) => t === 'depart').length, 1);
    assert.equal(types.filter((t: string) => t === 'arrive').length, 1);
    const two = await getJson(base, '/route/v1/car/7.4197,43.7314;7.4163,43.7334;7.4265,43.739?steps=true&overview=false');
    assert.equal(two.json.routes[0].legs.length, 2);
    for (const leg of two.json.routes[0].legs) assert.equal(leg.steps[0].maneuver.type, 'depart');
  });
});

describe('annotations', () => {
  let server: WaymarkServer;
  let base: string;
  before(async () => {
    ({ server, base } = await startServer());
  });
  after(async () => {
    await server.close();
  });

  it('per coordinate pair of the leg: distance, duration, speed, weight, datasource, adding up to the leg', async () => {
    const res = await getJson(base, `/route/v1/car/${ROUNDABOUTS}?annotations=duration,distance,speed,weight,datasource&overview=full&geometries=geojson`);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const route = res.json.routes[0];
    const a = route.legs[0].annotation;
    const pairs = route.geometry.coordinates.length - 1;
    for (const k of ['duration', 'distance', 'speed', 'weight', 'datasource']) assert.equal(a[k].length, pairs, k);
    assert.deepEqual(a.metadata, { datasource_names: ['lua profile'] });
    const sum = (xs: number[]) => xs.reduce((t, x) => t + x, 0);
    assert.ok(Math.abs(sum(a.distance) - route.distance) < 0.05 * pairs + 1, `${sum(a.distance)} vs ${route.distance}`);
    assert.ok(Math.abs(sum(a.duration) - route.duration) < 0.05 * pairs + 1, `${sum(a.duration)} vs ${route.duration}`);
    a.speed.forEach((v: number, i: number) => {
      if (a.duration[i] > 0.5) assert.ok(Math.abs(v - a.distance[i] / a.duration[i]) < 0.2 * v + 0.2);
      assert.ok(v >= 0 && v < 40, `speed ${v} m/s`);
    });
    const only = await getJson(base, `/route/v1/car/${ROUNDABOUTS}?annotations=speed&overview=false`);
    assert.deepEqual(Object.keys(only.json.routes[0].legs[0].annotation), ['speed']);
  });

  it('refuses annotation kinds OSRM does not know', async () => {
    for (const q of ['annotations=colour', 'annotations=duration,colour']) {
      const res = await getJson(base, `/route/v1/car/${ROUNDABOUTS}?${q}`);
      assert.equal(res.status, 400);
      assert.equal(res.json.code, 'InvalidOptions');
    }
  });
});

describe('POST /route: steps, alternatives and annotations in our own JSON', () => {
  let server: WaymarkServer;
  let base: string;
  before(async () => {
    ({ server, base } = await startServer());
  });
  after(async () => {
    await server.close();
  });

  it('answers steps with English instructions, alternatives and annotations, matching the OSRM route', async () => {
    const coordinates = ROUNDABOUTS.split(';').map((p) => p.split(',').map(Number));
    const res = await postJson(base, '/route', { coordinates, steps: true, alternatives: 2, annotations: ['duration', 'distance', 'speed'], geometry: 'geojson' });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const osrm = await getJson(base, `/route/v1/car/${ROUNDABOUTS}?steps=true&alternatives=2&annotations=duration,distance,speed&overview=full&geometries=geojson`);
    const leg = res.json.legs[0];
    const osrmLeg = osrm.json.routes[0].legs[0];
    assert.equal(leg.steps.length, osrmLeg.steps.length);
    leg.steps.forEach((s: any, k: number) => {
      assert.equal(s.instruction, instructions.compile('en', osrmLeg.steps[k]));
      assert.equal(s.type, osrmLeg.steps[k].maneuver.type);
      assert.deepEqual(s.location, osrmLeg.steps[k].maneuver.location);
      assert.deepEqual(s.geometry, osrmLeg.steps[k].geometry);
    });
    assert.ok(leg.steps.some((s: any) => s.instruction === 'Enter the roundabout and take the 2nd exit onto Boulevard d\'Italie'));
    assert.deepEqual(leg.annotation, { duration: osrmLeg.annotation.duration, distance: osrmLeg.annotation.distance, speed: osrmLeg.annotation.speed });
    assert.equal(res.json.alternatives.length, osrm.json.routes.length - 1);
    res.json.alternatives.forEach((a: any, k: number) => assert.equal(a.duration, osrm.json.routes[k + 1].duration));
    const refused = await postJson(base, '/route', { coordinates: [...coordinates, [7.4197, 43.7314]], alternatives: 1 });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.code, 'NotImplemented');
    assert.match(refused.json.message, /two coordinates only: OSRM's route service, too/);
    const osrmRefused = await getJson(base, `/route/v1/car/${ROUNDABOUTS};7.4197,43.7314?alternatives=2`);
    assert.equal(osrmRefused.status, 400);
    assert.equal(osrmRefused.json.code, 'NotImplemented');
    assert.match(osrmRefused.json.message, /OSRM's route service, too, searches alternatives for a single leg/);
    // nodes: the OSM node ids OSRM's answer gives for the same route.
    const withNodes = await postJson(base, '/route', { coordinates, annotations: ['nodes', 'distance'] });
    assert.equal(withNodes.status, 200, JSON.stringify(withNodes.json));
    const osrmNodes = await getJson(base, `/route/v1/car/${coordinates.map((c) => c.join(',')).join(';')}?annotations=nodes&overview=false`);
    assert.deepEqual(withNodes.json.legs[0].annotation.nodes, osrmNodes.json.routes[0].legs[0].annotation.nodes);
    assert.equal(withNodes.json.legs[0].annotation.nodes.length, withNodes.json.legs[0].annotation.distance.length + 1);
    const bad = await postJson(base, '/route', { coordinates, annotations: ['weight'] });
    assert.equal(bad.status, 400);
  });
});

describe('steps on /match and /trip (the same steps as /route)', () => {
  let server: WaymarkServer;
  let base: string;
  before(async () => {
    ({ server, base } = await startServer());
  });
  after(async () => {
    await server.close();
  });

  it('match: every leg between matched points gets depart ... arrive steps adding up to it, spoken in English', async () => {
    const { map } = await monacoMap();
    let legs = 0;
    const types = new Set<string>();
    for (const seed of [3, 5, 8, 13]) {
      const trace = syntheticTrace(map.handle, seed, { sigma: 5, minInterval: 5, maxInterval: 20, maxPoints: 25 });
      const coords = trace.coordinates.map(([lon, lat]) => `${lon.toFixed(6)},${lat.toFixed(6)}`).join(';');
      const res = await getJson(base, `/match/v1/car/${coords}?steps=true&timestamps=${trace.timestamps.join(';')}&geometries=polyline6`);
      assert.equal(res.status, 200, JSON.stringify(res.json));
      for (const m of res.json.matchings) {
        for (const leg of m.legs) {
          legs++;
          checkLegSteps(leg, 'polyline6');
          for (const st of leg.steps) types.add(st.maneuver.type);
        }
      }
      // Without waypoints between: one leg over the whole matching, one depart and one arrive.
      const n = trace.coordinates.length;
      const whole = await postJson(base, '/match', {
        coordinates: trace.coordinates,
        timestamps: trace.timestamps,
        steps: true,
        waypoints: [0, n - 1],
        geometries: 'geojson',
        overview: 'full',
      });
      if (whole.status === 200 && whole.json.matchings.length === 1) {
        const m = whole.json.matchings[0];
        assert.equal(m.legs.length, 1);
        checkLegSteps(m.legs[0], 'geojson');
        assert.ok(Math.abs(m.legs[0].steps.reduce((t: number, s: any) => t + s.distance, 0) - m.distance) < 1 + 0.1 * m.legs[0].steps.length);
      }
    }
    assert.ok(legs > 20, `${legs} legs`);
    assert.ok(types.has('turn') || types.has('new name') || types.has('roundabout'), [...types].join());
  });

  it('match: a fix standing still gives a leg of no length with a depart and an arrive', async () => {
    const res = await getJson(base, '/match/v1/car/7.41970,43.73140;7.41970,43.73140;7.41990,43.73160?steps=true&radiuses=10;10;10');
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const legs = res.json.matchings[0].legs;
    assert.equal(legs[0].distance, 0);
    assert.deepEqual(legs[0].steps.map((s: any) => s.maneuver.type), ['depart', 'arrive']);
    for (const leg of legs) checkLegSteps(leg, 'polyline');
  });

  it('trip: each leg carries the steps /route gives between the same two points', async () => {
    const pts = '7.4197,43.7314;7.4265,43.739;7.4163,43.7334;7.4286739,43.7459869';
    const res = await getJson(base, `/trip/v1/car/${pts}?steps=true&geometries=geojson`);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const trip = res.json.trips[0];
    const order = res.json.waypoints.map((w: any) => w.waypoint_index);
    const byVisit: string[] = [];
    pts.split(';').forEach((p, i) => (byVisit[order[i]] = p));
    for (const [k, leg] of trip.legs.entries()) {
      checkLegSteps(leg, 'geojson');
      const from = byVisit[k];
      const to = byVisit[(k + 1) % byVisit.length];
      const route = await getJson(base, `/route/v1/car/${from};${to}?steps=true&geometries=geojson`);
      assert.deepEqual(leg.steps, route.json.routes[0].legs[0].steps, `leg ${k}`);
    }
  });
});
