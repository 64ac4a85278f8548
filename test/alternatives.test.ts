/**
 * alternatives=true|N: via-node alternatives on the CH, each a full route, checked for the
 * admissibility bounds they promise (stretch at most 25 %, sharing with the best route at most 80 %
 * of its duration, no loops) on random Monaco routes.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { native } from '../src/native/index.js';
import type { WaymarkServer } from '../src/server/app.js';
import { monacoMap } from './helpers.js';
import { getJson, startServer } from './server-helpers.js';

const require = createRequire(import.meta.url);
const instructions = require('osrm-text-instructions')('v5') as { compile(language: string, step: unknown): string };

const pairKey = (c: number[][], i: number) => `${c[i].join(',')};${c[i + 1].join(',')}`;

describe('alternative routes', () => {
  let server: WaymarkServer;
  let base: string;
  before(async () => {
    ({ server, base } = await startServer());
  });
  after(async () => {
    await server.close();
  });

  it('random Monaco routes: bounded stretch, limited sharing, no loops, full routes with steps', async () => {
    const { map } = await monacoMap();
    const pts = native.randomRoadPoints(map.handle, 120, 21);
    let queries = 0;
    let withAlternative = 0;
    for (let i = 0; i < 60; i++) {
      const coords = `${pts[4 * i]},${pts[4 * i + 1]};${pts[4 * i + 2]},${pts[4 * i + 3]}`;
      const res = await getJson(base, `/route/v1/car/${coords}?alternatives=3&steps=true&annotations=duration&overview=full&geometries=geojson`);
      if (res.status !== 200) continue;
      queries++;
      const [best, ...alts] = res.json.routes;
      assert.ok(alts.length <= 3);
      if (alts.length > 0) withAlternative++;
      const bestPairs = new Set<string>();
      const bc = best.geometry.coordinates;
      for (let k = 0; k + 1 < bc.length; k++) bestPairs.add(pairKey(bc, k));
      for (const alt of alts) {
        assert.ok(alt.duration >= best.duration - 0.1, 'the best route comes first');
        assert.ok(alt.duration <= 1.25 * best.duration + 0.1, `stretch ${alt.duration} vs ${best.duration}`);
        const c = alt.geometry.coordinates;
        const durations = alt.legs[0].annotation.duration;
        assert.equal(durations.length, c.length - 1);
        let shared = 0;
        const seen = new Set<string>();
        for (let k = 0; k + 1 < c.length; k++) {
          const key = pairKey(c, k);
          assert.ok(!seen.has(key) || c[k].join() === c[k + 1].join(), 'no loop');
          seen.add(key);
          if (bestPairs.has(key)) shared += durations[k];
        }
        // Sharing is bounded by road segment (whole ones), measured here by coordinate pair: a little slack.
        assert.ok(shared <= 0.8 * best.duration + 5, `shares ${shared} s of ${best.duration} s`);
        const steps = alt.legs[0].steps;
        assert.equal(steps[0].maneuver.type, 'depart');
        assert.equal(steps.at(-1).maneuver.type, 'arrive');
        for (const s of steps) assert.ok(instructions.compile('en', s).length > 0);
      }
    }
    assert.ok(queries >= 50);
    // Monaco is small and dense: a good share of queries has an admissible alternative.
    assert.ok(withAlternative >= queries / 5, `${withAlternative} of ${queries} queries got an alternative`);
  });

  it('alternatives=true asks for one, false/0 for none; more than two coordinates or more than 3 are refused', async () => {
    const coords = '7.4286739,43.7459869;7.4272792,43.7396894';
    const one = await getJson(base, `/route/v1/car/${coords}?alternatives=true&overview=false`);
    assert.equal(one.status, 200);
    assert.ok(one.json.routes.length >= 1 && one.json.routes.length <= 2);
    const none = await getJson(base, `/route/v1/car/${coords}?alternatives=false&overview=false`);
    assert.equal(none.json.routes.length, 1);
    const three = await getJson(base, `/route/v1/car/${coords};7.4197,43.7314?alternatives=2`);
    assert.equal(three.status, 400);
    assert.equal(three.json.code, 'NotImplemented');
    const many = await getJson(base, `/route/v1/car/${coords}?alternatives=4`);
    assert.equal(many.status, 400);
    assert.equal(many.json.code, 'InvalidOptions');
  });
});
