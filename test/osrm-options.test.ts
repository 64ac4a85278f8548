/**
 * Every OSRM v5 route/table/nearest option is honoured or refused with 400 and a code: field by
 * field against OSRM's documented shapes, over a real listener.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WaymarkServer } from '../src/server/app.js';
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
      [`/route/v1/car/${A};${B}?annotations=nodes`, 'NotImplemented'],
      [`/route/v1/car/${A};${B}?steps=1`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?annotations=colour`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?continue_straight=true`, 'NotImplemented'],
      [`/route/v1/car/${A};${B}?continue_straight=sometimes`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?bearings=10,20;`, 'NotImplemented'],
      [`/route/v1/car/${A};${B}?bearings=400,20;`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?bearings=10,20`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?hints=abc;`, 'NotImplemented'],
      [`/route/v1/car/${A};${B}?hints=;;`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?approaches=curb;curb`, 'NotImplemented'],
      [`/route/v1/car/${A};${B}?approaches=left;`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?exclude=toll`, 'NotImplemented'],
      [`/route/v1/car/${A};${B}?exclude=cobbles`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?snapping=nearby`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?generate_hints=1`, 'InvalidOptions'],
      [`/route/v1/car/${A};${B}?skip_waypoints=no`, 'InvalidOptions'],
      [`/route/v1/car/${A};${C};${B}?waypoints=0;1`, 'InvalidOptions'],
      [`/route/v1/car/${A};${C};${B}?waypoints=1;2`, 'InvalidOptions'],
      [`/route/v1/car/${A};${C};${B}?waypoints=0;2;2`, 'InvalidOptions'],
      [`/table/v1/car/${A};${B}?fallback_speed=10`, 'NotImplemented'],
      [`/table/v1/car/${A};${B}?fallback_speed=-1`, 'InvalidOptions'],
      [`/table/v1/car/${A};${B}?fallback_coordinate=centre`, 'InvalidOptions'],
      [`/table/v1/car/${A};${B}?scale_factor=0`, 'InvalidOptions'],
      [`/table/v1/car/${A};${B}?scale_factor=2&annotations=distance`, 'InvalidOptions'],
      [`/table/v1/car/${A};${B}?snapping=any`, 'NotImplemented'],
      [`/table/v1/car/${A};${B}?approaches=curb;`, 'NotImplemented'],
      [`/nearest/v1/car/${A}?bearings=0,90`, 'NotImplemented'],
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
});
