import * as turf from '@turf/turf';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { native } from '../src/native/index.js';
import { gridDisk, latLngToCell } from 'h3-js';
import { cellsPolygon, isochroneOnMap } from '../src/routing/isochrone.js';
import type { LonLat } from '../src/routing/route.js';
import type { WaymarkServer } from '../src/server/app.js';
import { statistic } from '../src/zones/zones.js';
import { monacoMap } from './helpers.js';
import { postJson, startServer } from './server-helpers.js';

const A: LonLat = [7.4197, 43.7314];
const SEA: LonLat = [7.5, 43.9];
const MONACO_BBOX = [7.405, 43.723, 7.44, 43.752];

function randomPoints(handle: Parameters<typeof native.randomRoadPoints>[0], n: number, seed: number): LonLat[] {
  const flat = native.randomRoadPoints(handle, n, seed);
  return Array.from({ length: n }, (_, i) => [flat[2 * i], flat[2 * i + 1]] as LonLat);
}

describe('isochrones, reach and H3 zones over HTTP', () => {
  let server: WaymarkServer;
  let base: string;
  before(async () => {
    ({ server, base } = await startServer());
  });
  after(async () => {
    await server.close();
  });

  it('POST /isochrone answers nested polygons that contain the reached road network, as the core computes them', async () => {
    const { map } = await monacoMap();
    const body = { location: A, contours_minutes: [1, 3] };
    const res = await postJson(base, '/isochrone', body);
    assert.equal(res.status, 200);
    assert.ok(res.headers.get('x-map-version'));
    assert.equal(res.json.type, 'FeatureCollection');
    assert.deepEqual(JSON.parse(JSON.stringify(isochroneOnMap(map.handle, body))), res.json);
    const [small, large] = res.json.features;
    assert.equal(small.geometry.type, 'MultiPolygon');
    assert.deepEqual([small.properties.contour, large.properties.contour], [1, 3]);
    assert.equal(small.properties.metric, 'minutes');
    assert.ok(large.properties.area_km2 > small.properties.area_km2 && small.properties.area_km2 > 0);
    // Every vertex of the reached roads lies in its contour's polygon, and the small polygon in the large one.
    const lines = (await postJson(base, '/isochrone', { ...body, polygons: false })).json;
    assert.equal(lines.features[0].geometry.type, 'MultiLineString');
    for (let k = 0; k < 2; k++) {
      const poly = turf.multiPolygon(res.json.features[k].geometry.coordinates);
      const vertices: number[][] = lines.features[k].geometry.coordinates.flat();
      assert.ok(vertices.length > 10);
      for (const v of vertices.filter((_, i) => i % 7 === 0)) {
        assert.ok(turf.booleanPointInPolygon(v, poly) || turf.pointToPolygonDistance(v, poly, { units: 'meters' }) < 1.5, `contour ${k}: ${v} outside`);
      }
    }
    const bigPoly = turf.multiPolygon(large.geometry.coordinates);
    for (const ring of small.geometry.coordinates.flat()) for (const v of ring) assert.ok(turf.booleanPointInPolygon(v, bigPoly, { ignoreBoundary: false }) || turf.pointToPolygonDistance(v, bigPoly, { units: 'meters' }) < 1);
  });

  it('answers reverse, distance contours, generalized and coarser polygons', async () => {
    const rev = await postJson(base, '/isochrone', { location: A, contours_minutes: [2], direction: 'reverse' });
    assert.equal(rev.status, 200);
    assert.equal(rev.json.features[0].properties.direction, 'reverse');
    const meters = await postJson(base, '/isochrone', { location: A, contours_meters: [500, 1500] });
    assert.equal(meters.status, 200);
    assert.equal(meters.json.features[1].properties.metric, 'meters');
    assert.ok(meters.json.features[1].properties.area_km2 > meters.json.features[0].properties.area_km2);
    const plain = await postJson(base, '/isochrone', { location: A, contours_minutes: [3] });
    const general = await postJson(base, '/isochrone', { location: A, contours_minutes: [3], generalize: 50 });
    const count = (f: { geometry: { coordinates: number[][][][] } }) => f.geometry.coordinates.flat(2).length;
    assert.ok(count(general.json.features[0]) < count(plain.json.features[0]));
    const lines = await postJson(base, '/isochrone', { location: A, contours_minutes: [3], polygons: false });
    const simpleLines = await postJson(base, '/isochrone', { location: A, contours_minutes: [3], polygons: false, generalize: 30 });
    const vertices = (f: { geometry: { coordinates: number[][][] } }) => f.geometry.coordinates.flat().length;
    assert.ok(vertices(simpleLines.json.features[0]) < vertices(lines.json.features[0]), 'generalize simplifies lines too');
    const coarse = await postJson(base, '/isochrone', { location: A, contours_minutes: [3], resolution: 8 });
    assert.ok(coarse.json.features[0].properties.cells < plain.json.features[0].properties.cells);
  });

  it('polygons have holes where no reached road passes; holes under 4 cells (a city block) are filled', () => {
    const centre = latLngToCell(43.73, 7.42, 10);
    const ring = (inner: number) => gridDisk(centre, 4).filter((c) => !gridDisk(centre, inner).includes(c));
    const big = cellsPolygon(new Set(ring(1)), 0); // a 7-cell hole
    assert.equal(big.coordinates.length, 1);
    assert.equal(big.coordinates[0].length, 2, 'outer ring and one hole');
    const small = cellsPolygon(new Set(ring(0)), 0); // a 1-cell hole
    assert.equal(small.coordinates[0].length, 1, 'the small hole is filled');
    assert.ok(small.areaKm2 > big.areaKm2);
  });

  it('refuses every bad /isochrone field with 400 and a code', async () => {
    const cases: [unknown, string][] = [
      [{ location: A }, 'InvalidValue'],
      [{ location: A, contours_minutes: [5], contours_meters: [100] }, 'InvalidValue'],
      [{ location: A, contours_minutes: [] }, 'InvalidValue'],
      [{ location: A, contours_minutes: [-1] }, 'InvalidValue'],
      [{ location: A, contours_minutes: [500] }, 'InvalidValue'],
      [{ location: A, contours_minutes: [5], direction: 'sideways' }, 'InvalidValue'],
      [{ location: A, contours_minutes: [5], colour: 'red' }, 'InvalidValue'],
      [{ location: A, contours_minutes: [5], polygons: false, resolution: 9 }, 'InvalidValue'],
      [{ location: A, contours_minutes: [5], resolution: 3 }, 'InvalidValue'],
      [{ location: A, contours_minutes: [5], generalize: -2 }, 'InvalidValue'],
      [{ location: A, contours_minutes: [5], profile: 'boat' }, 'InvalidValue'],
      [{ location: SEA, contours_minutes: [5] }, 'NoSegment'],
      [{ location: [200, 0], contours_minutes: [5] }, 'InvalidValue'],
    ];
    for (const [body, code] of cases) {
      const res = await postJson(base, '/isochrone', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.json.code, code, JSON.stringify(body));
    }
  });

  it('POST /reach lists exactly the origins within the limit, fastest first, as plain Dijkstra times them', async () => {
    const { map } = await monacoMap();
    const origins = [...randomPoints(map.handle, 40, 77), SEA];
    const res = await postJson(base, '/reach', { target: A, origins, max_minutes: 2, origin_radius: 300 });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json.unsnapped, [40]);
    const reachedIdx = res.json.reached.map((r: { index: number }) => r.index);
    assert.equal(reachedIdx.length + res.json.not_reached.length, 40);
    assert.ok(reachedIdx.length > 0 && res.json.not_reached.length > 0, 'the limit splits the origins');
    for (let i = 1; i < res.json.reached.length; i++) assert.ok(res.json.reached[i - 1].duration <= res.json.reached[i].duration);
    for (let i = 0; i < 40; i++) {
      const ref = native.referenceRoute(map.handle, Float64Array.from([...origins[i], ...A]));
      const hit = res.json.reached.find((r: { index: number }) => r.index === i);
      if (ref.duration <= 120) {
        assert.ok(hit, `origin ${i} at ${ref.duration} s is missing`);
        assert.ok(Math.abs(hit.duration - ref.duration) <= 0.051, `origin ${i}: ${hit.duration} vs ${ref.duration}`);
      } else assert.ok(res.json.not_reached.includes(i), `origin ${i} at ${ref.duration} s`);
    }
    for (const body of [{ target: A, origins }, { target: A, origins: [], max_minutes: 3 }, { target: A, origins, max_minutes: 3, limit: 2 }, { target: SEA, origins, max_minutes: 3 }]) {
      const bad = await postJson(base, '/reach', body);
      assert.equal(bad.status, 400, JSON.stringify(body).slice(0, 80));
      assert.ok(bad.json.code);
    }
  });

  it('POST /zones/matrix: cells, road-less cells, and each statistic over the sample pairs', async () => {
    const { map } = await monacoMap();
    const res = await postJson(base, '/zones/matrix', { resolution: 9, bbox: MONACO_BBOX, statistic: 'p90', samples: 4 });
    assert.equal(res.status, 200);
    const z = res.json;
    assert.equal(z.format, 'waymark-zones/1');
    assert.ok(z.cells.length > 5, `${z.cells.length} cells`);
    assert.ok(z.roadless.length > 0, 'the sea is road-less');
    assert.equal(z.durations.length, z.cells.length);
    for (const pts of z.points) assert.ok(pts.length >= 1 && pts.length <= 4);
    // Recompute two cells' p90 and min from an independent matrix of their points.
    const [i, j] = [0, z.cells.length - 1];
    const m = native.matrix(map.handle, Float64Array.from(z.points[i].flat()), Float64Array.from(z.points[j].flat()), { distances: false });
    const values = Array.from(m.durations!).filter((x) => !Number.isNaN(x));
    assert.equal(z.counts[i][j], values.length);
    assert.equal(z.durations[i][j], Math.round(statistic([...values], 'p90')! * 10) / 10);
    const min = await postJson(base, '/zones/matrix', { resolution: 9, cells: [z.cells[i], z.cells[j]], statistic: 'min', samples: 4 });
    assert.equal(min.json.durations[0][1], Math.round(Math.min(...values) * 10) / 10);
    // A named road-less cell is reported, not an error.
    const some = await postJson(base, '/zones/matrix', { resolution: 9, cells: [z.cells[0], z.roadless[0]], samples: 1 });
    assert.equal(some.status, 200);
    assert.deepEqual(some.json.roadless, [z.roadless[0]]);
    assert.equal(some.json.durations[0][0], 0);
    assert.equal(some.json.counts[0][0], 1);
    const poly = await postJson(base, '/zones/matrix', { resolution: 9, polygon: turf.bboxPolygon(MONACO_BBOX as [number, number, number, number]).geometry, samples: 4, statistic: 'p90' });
    assert.deepEqual(poly.json.cells, z.cells);
  });

  it('refuses every bad /zones field with 400 and a code', async () => {
    const cell = (await postJson(base, '/zones/matrix', { resolution: 9, bbox: MONACO_BBOX, samples: 1 })).json.cells[0];
    const cases: [string, unknown, string][] = [
      ['/zones/matrix', { resolution: 9 }, 'InvalidValue'],
      ['/zones/matrix', { resolution: 9, cells: [cell], bbox: MONACO_BBOX }, 'InvalidValue'],
      ['/zones/matrix', { resolution: 9, cells: ['not-a-cell'] }, 'InvalidValue'],
      ['/zones/matrix', { resolution: 8, cells: [cell] }, 'InvalidValue'],
      ['/zones/matrix', { resolution: 9, bbox: [7.44, 43.7, 7.4, 43.75] }, 'InvalidValue'],
      ['/zones/matrix', { resolution: 9, bbox: MONACO_BBOX, statistic: 'mean' }, 'InvalidValue'],
      ['/zones/matrix', { resolution: 9, bbox: MONACO_BBOX, samples: 0 }, 'InvalidValue'],
      ['/zones/matrix', { resolution: 16, bbox: MONACO_BBOX }, 'InvalidValue'],
      ['/zones/matrix', { resolution: 9, polygon: { type: 'Point', coordinates: [7.4, 43.7] } }, 'InvalidValue'],
      ['/zones/matrix', { resolution: 15, bbox: [0, 0, 10, 10] }, 'TooBig'],
      ['/zones/matrix', { resolution: 9, bbox: MONACO_BBOX, extra: 1 }, 'InvalidValue'],
      ['/zones/eta', { resolution: 9, bbox: MONACO_BBOX }, 'InvalidValue'],
      ['/zones/eta', { resolution: 9, bbox: MONACO_BBOX, location: SEA }, 'NoSegment'],
    ];
    for (const [path, body, code] of cases) {
      const res = await postJson(base, path, body);
      assert.equal(res.status, 400, `${path} ${JSON.stringify(body)}`);
      assert.equal(res.json.code, code, `${path} ${JSON.stringify(body)}: ${res.json.message}`);
    }
  });

  it('POST /zones/eta: per cell, the statistic of its road points\' times to the location (checked with plain Dijkstra)', async () => {
    const { map } = await monacoMap();
    const res = await postJson(base, '/zones/eta', { resolution: 9, bbox: MONACO_BBOX, location: A, statistic: 'min', samples: 3 });
    assert.equal(res.status, 200);
    const z = (await postJson(base, '/zones/matrix', { resolution: 9, bbox: MONACO_BBOX, samples: 3 })).json;
    assert.deepEqual(res.json.cells.map((c: { cell: string }) => c.cell), z.cells);
    assert.deepEqual(res.json.roadless, z.roadless);
    for (const k of [0, Math.floor(z.cells.length / 2), z.cells.length - 1]) {
      const times = z.points[k].map((p: LonLat) => native.referenceRoute(map.handle, Float64Array.from([...p, ...A])).duration);
      assert.equal(res.json.cells[k].duration, Math.round(Math.min(...times) * 10) / 10, `cell ${k}`);
      assert.equal(res.json.cells[k].count, times.length);
    }
  });
});
