/**
 * The JSON text of plain routes written directly (plainRouteJson, the main thread's tiny queries)
 * equals JSON.stringify of routeOnMap's answer, byte for byte: on random Monaco routes of two to
 * four points, and on hand-made answers with the values JSON escapes or prints specially.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WaymarkError } from '../src/errors.js';
import { native } from '../src/native/index.js';
import { plainRouteJson, plainRouteText, routeOnMap, type LonLat, type RouteRequest } from '../src/routing/route.js';
import { monacoMap } from './helpers.js';

describe('plain route JSON', () => {
  it('equals JSON.stringify(routeOnMap) on random routes through 2 to 4 points', async () => {
    const { map } = await monacoMap();
    const pts = native.randomRoadPoints(map.handle, 1200, 20261130);
    const at = (i: number): LonLat => [pts[2 * i], pts[2 * i + 1]];
    let withNames = 0;
    for (let i = 0, k = 0; k + 4 <= 1200; i++) {
      const n = 2 + (i % 3);
      const req: RouteRequest = { coordinates: Array.from({ length: n }, (_, j) => at(k + j)), geometry: false, ...(i % 4 === 0 ? { radius: 500 } : {}) };
      k += n;
      let expected: string;
      try {
        expected = JSON.stringify(routeOnMap(map.handle, req));
      } catch (err) {
        // The same error either way (the same native call).
        assert.throws(() => plainRouteJson(map.handle, req), (e: unknown) => e instanceof WaymarkError && e.code === (err as WaymarkError).code);
        continue;
      }
      assert.equal(plainRouteJson(map.handle, req), expected, `route ${i}`);
      if (/"names":\["/.test(expected)) withNames++;
    }
    assert.ok(withNames > 100, `${withNames} routes named streets`);
  });

  it('equals JSON.stringify on answers with quotes, escapes, non-ASCII names, empty names and special numbers', () => {
    const names = ['Rue "Grimaldi"', 'back\\slash', 'Avenue Princesse Grâce', 'tab\there', '\u2028line', 'lone \ud800 surrogate', '', '東京'];
    const route = {
      duration: 123.456,
      distance: -0,
      weight: NaN,
      legs: [
        { duration: 1e21, distance: 0.05, weight: Infinity, names, geometryBegin: 0, geometryEnd: 0 },
        { duration: 5e-7, distance: 12345678.95, weight: 3, names: [], geometryBegin: 0, geometryEnd: 0 },
      ],
      waypoints: [
        { location: [7.4197123, -43.7314] as [number, number], distance: 0.005, name: 'x"y', edge: 1, fraction: 0.5, nodes: [1, 2] as [number, number] },
        { location: [-0, 1e-7] as [number, number], distance: 2.345, name: '', edge: 2, fraction: 0, nodes: [3, 4] as [number, number] },
      ],
    };
    const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
    // routeOnMap's shape for these values, written out (the oracle).
    const expected = JSON.stringify({
      duration: round(route.duration, 1),
      distance: round(route.distance, 1),
      weight: round(route.weight, 1),
      geometry: null,
      legs: route.legs.map((l) => ({ duration: round(l.duration, 1), distance: round(l.distance, 1), weight: round(l.weight, 1), summary: l.names.slice(0, 2).join(', '), names: l.names })),
      waypoints: route.waypoints.map((w) => ({ location: w.location, distance: round(w.distance, 2), name: w.name })),
    });
    assert.equal(plainRouteText(route), expected);
  });

  it('refuses requests whose answer has more than the plain shape', async () => {
    const { map } = await monacoMap();
    const coordinates: LonLat[] = [
      [7.4197, 43.7314],
      [7.4265, 43.739],
    ];
    for (const extra of [{ geometry: 'geojson' as const }, { geometry: false as const, steps: true }, { geometry: false as const, alternatives: 1 }, { geometry: false as const, annotations: ['duration' as const] }]) {
      assert.throws(() => plainRouteJson(map.handle, { coordinates, ...extra }), /without geometry/);
    }
  });
});
