/**
 * Custom models (GraphHopper's JSON): validation names the field path of every mistake; statements
 * compile to the per-edge numbers GraphHopper's semantics give (if / else_if / else groups,
 * multiply_by, limit_to); routes on a model are exact against plain Dijkstra on its weights and
 * report travel time as duration; POST /route, POST /matrix and VRP vehicles take `custom_model`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WaymarkError } from '../src/errors.js';
import { native, type MapHandle } from '../src/native/index.js';
import { compileCustomModel, validateCustomModel, type CustomModel } from '../src/routing/custom-model.js';
import { metricHandle } from '../src/routing/metric.js';
import type { WaymarkServer } from '../src/server/app.js';
import { monacoMap } from './helpers.js';
import { postJson, startServer } from './server-helpers.js';

function refusal(model: unknown): string {
  try {
    validateCustomModel(model);
  } catch (e) {
    assert.ok(e instanceof WaymarkError);
    assert.equal(e.code, 'InvalidCustomModel');
    return e.message;
  }
  return 'accepted';
}

describe('custom models', () => {
  let map: MapHandle;
  before(async () => {
    map = (await monacoMap()).map.handle;
  });

  it('refuses mistakes with the field path', () => {
    const cases: [unknown, RegExp][] = [
      [[], /^custom_model: must be an object/],
      [{ speed: {} }, /^custom_model\.speed: must be an array/],
      [{ speed: [{ if: 'road_class == MOTORWAY' }] }, /^custom_model\.speed\[0\]: needs exactly one of multiply_by, limit_to/],
      [{ speed: [{ multiply_by: 0.5 }] }, /^custom_model\.speed\[0\]: needs exactly one of if, else_if, else/],
      [{ priority: [{ if: 'road_class == MOTORWAY', multiply_by: 0.5 }, { if: 'road_clas == PRIMARY', multiply_by: 0.5 }] }, /^custom_model\.priority\[1\]\.if: unknown variable 'road_clas'/],
      [{ priority: [{ if: 'road_class == HIGHWAY', multiply_by: 0.5 }] }, /^custom_model\.priority\[0\]\.if: unknown road_class value 'HIGHWAY'/],
      [{ priority: [{ if: 'max_speed > fast', multiply_by: 0.5 }] }, /must be compared with a number/],
      [{ priority: [{ if: 'road_class == MOTORWAY &&', multiply_by: 0.5 }] }, /unexpected end/],
      [{ priority: [{ if: '(toll == ALL', multiply_by: 0.5 }] }, /missing '\)'/],
      [{ priority: [{ else_if: 'toll == ALL', multiply_by: 0.5 }] }, /^custom_model\.priority\[0\]\.else_if: must follow an if or else_if/],
      [{ priority: [{ if: 'toll == ALL', multiply_by: 0.5 }, { else: 'x', multiply_by: 1 }] }, /^custom_model\.priority\[1\]\.else: must be empty/],
      [{ speed: [{ if: 'true', multiply_by: -1 }] }, /^custom_model\.speed\[0\]\.multiply_by: must be a number in \[0, 10\]/],
      [{ speed: [{ if: 'true', limit_to: 'ninety' }] }, /^custom_model\.speed\[0\]\.limit_to: must be a number/],
      [{ distance_influence: -3 }, /^custom_model\.distance_influence: must be a number in \[0, 10000\]/],
      [{ areas: {} }, /^custom_model\.areas: areas are not supported/],
      [{ speeds: [] }, /^custom_model\.speeds: unknown field/],
      [{ speed: [{ if: 'true', multiply_by: 1, limit: 3 }] }, /^custom_model\.speed\[0\]\.limit: unknown field/],
    ];
    for (const [model, message] of cases) assert.match(refusal(model), message, JSON.stringify(model));
    assert.equal(refusal({ priority: [{ if: '!(road_class == PRIMARY || toll != NO) && max_speed >= 30', multiply_by: '0.5' }, { else: null, limit_to: 0.9 }], speed: [], distance_influence: 70 }), 'accepted');
  });

  it('compiles statements per edge as GraphHopper evaluates them', () => {
    const model: CustomModel = {
      speed: [
        { if: 'road_class == PRIMARY', multiply_by: 0.5 },
        { else_if: 'road_class == SECONDARY', multiply_by: 0.7 },
        { else: '', multiply_by: 0.9 },
        { if: 'true', limit_to: 40 },
      ],
      priority: [
        { if: 'road_class == RESIDENTIAL', multiply_by: 0.5 },
        { if: 'road_class == RESIDENTIAL || road_class == SERVICE', multiply_by: 0.5 },
        { if: 'surface == ASPHALT', limit_to: 0.8 },
      ],
    };
    const c = compileCustomModel(map, model);
    const cls = native.mapSection(map, 'edge_class', 'u8');
    const surface = native.mapSection(map, 'edge_surface', 'u8');
    const names = native.roadClassNames();
    const surfaceNames = native.edgeAttributeNames().surface;
    let asphalt = 0;
    for (let e = 0; e < cls.length; e++) {
      const name = names[cls[e]];
      assert.equal(c.speedFactor[e], name === 'primary' ? 0.5 : name === 'secondary' ? 0.7 : 0.9, `edge ${e} (${name})`);
      assert.equal(c.speedLimit[e], 40);
      let p = name === 'residential' ? 0.25 : name === 'service' ? 0.5 : 1;
      if (surfaceNames[surface[e]] === 'asphalt') {
        p = Math.min(p, 0.8);
        asphalt++;
      }
      assert.equal(c.priority[e], p, `edge ${e}`);
    }
    assert.ok(asphalt > 0);
  });

  it('routes on models equal plain Dijkstra on their weights; duration stays travel time', () => {
    const models: CustomModel[] = [
      { priority: [{ if: 'road_class == PRIMARY', multiply_by: 0 }] },
      { speed: [{ if: 'road_class == RESIDENTIAL', multiply_by: 0.2 }], distance_influence: 100 },
      { priority: [{ if: 'road_class == SECONDARY || road_class == TERTIARY', multiply_by: 0.3 }], speed: [{ if: 'true', limit_to: 30 }] },
    ];
    const cls = native.mapSection(map, 'edge_class', 'u8');
    const names = native.roadClassNames();
    const pts = native.randomRoadPoints(map, 80, 21);
    models.forEach((model, k) => {
      const h = metricHandle(map, { customModel: model });
      let compared = 0;
      for (let i = 0; i < pts.length; i += 4) {
        const pair = pts.slice(i, i + 4);
        let r, d;
        try { r = native.route(h, pair, { pieces: true }); } catch (e) { r = (e as { code: string }).code; }
        try { d = native.referenceRoute(h, pair); } catch (e) { d = (e as { code: string }).code; }
        if (typeof r === 'string' || typeof d === 'string') {
          assert.equal(r, d);
          continue;
        }
        assert.ok(Math.abs(r.weight - d.duration) < 0.002, `model ${k} pair ${i / 4}: ${r.weight} vs ${d.duration}`);
        if (k === 0) {
          const segs = native.routeSegments(h, pair);
          const edgeDir = native.mapSection(map, 'segment_edge_dir', 'u32');
          for (const s of segs.segments) assert.notEqual(names[cls[edgeDir[s] >> 1]], 'primary', `model 0 pair ${i / 4} drives a primary road`);
        }
        if (k === 2) assert.ok(r.duration >= r.distance / (30 / 3.6) - 0.01, 'limit_to 30 km/h');
        compared++;
      }
      assert.ok(compared >= 10);
    });
  });

  describe('over HTTP', () => {
    let server: WaymarkServer;
    let base: string;
    before(async () => {
      ({ server, base } = await startServer());
    });
    after(async () => {
      await server.close();
    });
    const A: [number, number] = [7.4197, 43.7314], B: [number, number] = [7.4265, 43.739];

    it('POST /route and /matrix take custom_model; bad models are 400 with the field path', async () => {
      const model = { speed: [{ if: 'road_class != RESIDENTIAL', multiply_by: 0.5 }], distance_influence: 50 };
      const plain = await postJson(base, '/route', { coordinates: [A, B] });
      const custom = await postJson(base, '/route', { coordinates: [A, B], custom_model: model });
      assert.equal(custom.status, 200, JSON.stringify(custom.json));
      assert.ok(custom.json.duration > plain.json.duration);
      assert.ok(custom.json.weight > custom.json.duration, 'distance influence adds to the weight');
      assert.equal(plain.json.weight, plain.json.duration);
      const m = await postJson(base, '/matrix', { sources: [A], destinations: [B], custom_model: model });
      assert.equal(m.status, 200);
      assert.ok(Math.abs(m.json.durations[0][0] - custom.json.duration) <= 0.1);
      assert.ok(Math.abs(m.json.distances[0][0] - custom.json.distance) <= 0.1);
      const bad = await postJson(base, '/route', { coordinates: [A, B], custom_model: { speed: [{ if: 'road_class = MOTORWAY', multiply_by: 0.5 }] } });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.code, 'InvalidCustomModel');
      assert.match(bad.json.message, /^custom_model\.speed\[0\]\.if: /);
      const badMatrix = await postJson(base, '/matrix', { sources: [A, B], custom_model: { distance_influence: 'lots' } });
      assert.equal(badMatrix.status, 400);
      assert.match(badMatrix.json.message, /^custom_model\.distance_influence/);
    });

    it('VRP vehicles take custom_model (their own matrix), refused with vehicles[i].custom_model paths', async () => {
      const problem = (custom_model?: unknown) => ({
        vehicles: [{ id: 1, start: A, end: A, ...(custom_model ? { custom_model } : {}) }],
        jobs: [{ id: 1, location: B }],
        options: { time_limit: 0.5 },
      });
      const plain = await postJson(base, '/vrp', problem());
      const slow = await postJson(base, '/vrp', problem({ speed: [{ if: 'true', multiply_by: 0.5 }] }));
      assert.equal(slow.status, 200, JSON.stringify(slow.json));
      assert.ok(slow.json.summary.duration > 1.5 * plain.json.summary.duration);
      const bad = await postJson(base, '/vrp', problem({ priority: [{ if: 'toll == SOMETIMES', multiply_by: 0.5 }] }));
      assert.equal(bad.status, 400);
      assert.match(bad.json.message, /^vehicles\[0\]\.custom_model\.priority\[0\]\.if: unknown toll value 'SOMETIMES'/);
    });
  });
});
