/**
 * GET /tiles/{profile}/{z}/{x}/{y}.pbf on a real listener: tiles decoded with @mapbox/vector-tile,
 * checked against the OSM source (osmium's own export of a known street) and against the map's road
 * edges tile by tile (a brute-force oracle over every edge).
 */
import { VectorTile } from '@mapbox/vector-tile';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PbfReader } from 'pbf';
import { native } from '../src/native/index.js';
import type { WaymarkServer } from '../src/server/app.js';
import { InlineCutter, RoadTileCache } from '../src/web/road-tiles.js';
import { buildMapFromPbf } from '../src/build/build-map.js';
import { getProfile } from '../src/profiles/index.js';
import { dataPbf, monacoMap, tempDir } from './helpers.js';
import { getJson, startServer } from './server-helpers.js';

/** The tile (slippy-map scheme) holding a coordinate. */
function tileOf(lon: number, lat: number, z: number): [number, number] {
  const n = 2 ** z;
  const rad = (lat * Math.PI) / 180;
  return [Math.floor(((lon + 180) / 360) * n), Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n)];
}

/** Longitude/latitude of a tile's north-west corner. */
function tileCorner(z: number, x: number, y: number): [number, number] {
  const n = 2 ** z;
  return [(x / n) * 360 - 180, (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / n))) * 180) / Math.PI];
}

function metres(a: number[], b: number[]): number {
  const k = Math.PI / 180;
  const x = (b[0] - a[0]) * k * Math.cos(((a[1] + b[1]) / 2) * k);
  const y = (b[1] - a[1]) * k;
  return Math.hypot(x, y) * 6_371_000;
}

/** Distance from a point to a polyline (planar within a few hundred metres). */
function distanceToLine(p: number[], line: number[][]): number {
  let best = Infinity;
  for (let i = 0; i + 1 < line.length; i++) {
    const [a, b] = [line[i], line[i + 1]];
    const k = Math.cos((p[1] * Math.PI) / 180);
    const ax = a[0] * k, ay = a[1], bx = b[0] * k, by = b[1], px = p[0] * k, py = p[1];
    const len = (bx - ax) ** 2 + (by - ay) ** 2;
    const t = len === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / len));
    best = Math.min(best, metres(p, [(ax + t * (bx - ax)) / k, ay + t * (by - ay)]));
  }
  return best;
}

interface DecodedFeature {
  properties: Record<string, string | number | boolean>;
  lines: number[][][];
}

async function fetchTile(base: string, path: string): Promise<{ status: number; bytes: Uint8Array; headers: Headers; tile: VectorTile }> {
  const res = await fetch(base + path);
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, bytes, headers: res.headers, tile: new VectorTile(new PbfReader(bytes)) };
}

function features(tile: VectorTile, z: number, x: number, y: number): DecodedFeature[] {
  const layer = tile.layers.roads;
  if (!layer) return [];
  const out: DecodedFeature[] = [];
  for (let i = 0; i < layer.length; i++) {
    const f = layer.feature(i);
    const g = f.toGeoJSON(x, y, z).geometry;
    const lines = g.type === 'LineString' ? [g.coordinates] : g.type === 'MultiLineString' ? g.coordinates : [];
    out.push({ properties: f.properties, lines });
  }
  return out;
}

describe('road vector tiles', () => {
  let server: WaymarkServer;
  let base: string;
  let version: string;
  before(async () => {
    ({ server, base } = await startServer());
    version = (await getJson(base, '/info')).json.maps.car.version;
  });
  after(async () => {
    await server.close();
    rmSync(server.config.dataDir, { recursive: true, force: true });
  });

  it('draws a known Monaco street where OpenStreetMap has it, with its class, name and one-way flag', async () => {
    // The street as osmium itself exports it from the source file: an independent view of the data.
    const dir = tempDir('waymark-tiles-');
    try {
      const filtered = join(dir, 'grimaldi.osm.pbf');
      execFileSync('osmium', ['tags-filter', dataPbf, 'w/name=Rue Grimaldi', '-o', filtered, '--overwrite'], { stdio: 'pipe' });
      const exported = JSON.parse(execFileSync('osmium', ['export', filtered, '-f', 'geojson', '--geometry-types=linestring'], { encoding: 'utf8', maxBuffer: 64 << 20 })) as {
        features: { properties: Record<string, string>; geometry: { coordinates: number[][] } }[];
      };
      const ways = exported.features.filter((f) => f.properties.highway === 'secondary' && f.properties.oneway === 'yes');
      assert.ok(ways.length > 0, 'Rue Grimaldi is a one-way secondary road in the extract');
      let checked = 0;
      for (const way of ways) {
        for (const point of way.geometry.coordinates) {
          const z = 16;
          const [x, y] = tileOf(point[0], point[1], z);
          const { status, headers, tile } = await fetchTile(base, `/tiles/car/${z}/${x}/${y}.pbf`);
          assert.equal(status, 200);
          assert.equal(headers.get('content-type'), 'application/vnd.mapbox-vector-tile');
          assert.equal(headers.get('x-map-version'), version);
          assert.deepEqual(Object.keys(tile.layers), ['roads']);
          const grimaldi = features(tile, z, x, y).filter((f) => f.properties.name === 'Rue Grimaldi');
          assert.ok(grimaldi.length > 0, `tile ${z}/${x}/${y} has Rue Grimaldi`);
          for (const f of grimaldi) {
            assert.equal(f.properties.class, 'secondary');
            assert.equal(f.properties.oneway, 1);
          }
          const nearest = Math.min(...grimaldi.flatMap((f) => f.lines.map((l) => distanceToLine(point, l))));
          assert.ok(nearest < 3, `OSM node ${point} is ${nearest.toFixed(2)} m from the tile's Rue Grimaldi`);
          checked++;
        }
      }
      assert.ok(checked >= 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('holds exactly the roads of the map that cross each tile (brute-force oracle over every edge)', async () => {
    const { map } = await monacoMap();
    const edges = native.roadEdges(map.handle);
    const classes = native.roadClassNames();
    const header = native.mapHeader(map.handle);
    const z = 15;
    const [x0, y1] = tileOf(header.bbox[0], header.bbox[1], z);
    const [x1, y0] = tileOf(header.bbox[2], header.bbox[3], z);
    let nonEmpty = 0;
    for (let x = x0; x <= x1; x++) {
      for (let y = y0; y <= y1; y++) {
        const [west, north] = tileCorner(z, x, y);
        const [east, south] = tileCorner(z, x + 1, y + 1);
        // Edges with a vertex strictly inside must be in the tile; nothing may be in it whose edge
        // does not come within the tile plus a margin (the 64/4096 buffer).
        const mx = (east - west) * 0.1;
        const my = (north - south) * 0.1;
        const mustHave = new Set<string>();
        const mayHave = new Set<string>();
        for (let e = 0; e + 1 < edges.offsets.length; e++) {
          const key = `${edges.names[edges.nameId[e]] ?? ''}|${classes[edges.roadClass[e]]}|${edges.oneway[e]}`;
          for (let p = edges.offsets[e]; p < edges.offsets[e + 1]; p++) {
            const lon = edges.coordinates[2 * p];
            const lat = edges.coordinates[2 * p + 1];
            if (lon > west && lon < east && lat > south && lat < north) mustHave.add(key);
            if (lon > west - mx && lon < east + mx && lat > south - my && lat < north + my) mayHave.add(key);
          }
          // edges crossing the tile without a vertex in it may be there or not
          let [w, so, ea, no] = [Infinity, Infinity, -Infinity, -Infinity];
          for (let p = edges.offsets[e]; p < edges.offsets[e + 1]; p++) {
            w = Math.min(w, edges.coordinates[2 * p]);
            ea = Math.max(ea, edges.coordinates[2 * p]);
            so = Math.min(so, edges.coordinates[2 * p + 1]);
            no = Math.max(no, edges.coordinates[2 * p + 1]);
          }
          if (w < east + mx && ea > west - mx && so < north + my && no > south - my) mayHave.add(key);
        }
        const { status, tile } = await fetchTile(base, `/tiles/car/${z}/${x}/${y}.pbf`);
        assert.equal(status, 200);
        const got = new Set(features(tile, z, x, y).map((f) => `${f.properties.name ?? ''}|${f.properties.class}|${f.properties.oneway}`));
        for (const k of mustHave) assert.ok(got.has(k), `tile ${z}/${x}/${y} lacks ${k}`);
        for (const k of got) assert.ok(mayHave.has(k), `tile ${z}/${x}/${y} has ${k}, which is not near it`);
        if (got.size > 0) nonEmpty++;
      }
    }
    assert.ok(nonEmpty >= 4, `${nonEmpty} non-empty tiles`);
  });

  it('answers empty tiles outside the map and refuses tiles that do not exist', async () => {
    for (const [z, x, y] of [
      [3, 0, 0], // the north-west corner of the world at z3
      [14, 0, 0],
      [16, ...tileOf(7.3, 43.7, 16)], // 10 km west of Monaco, at sea level inland
    ]) {
      const { status, bytes, tile, headers } = await fetchTile(base, `/tiles/car/${z}/${x}/${y}.pbf`);
      assert.equal(status, 200, `${z}/${x}/${y}`);
      assert.equal(bytes.byteLength, 0);
      assert.deepEqual(Object.keys(tile.layers), []);
      assert.equal(headers.get('x-map-version'), version);
    }
    // Monaco's tile at z10 (Monaco is 3 km wide: at lower zooms geojson-vt simplifies it away).
    const [x10, y10] = tileOf(7.42, 43.735, 10);
    const region = await fetchTile(base, `/tiles/car/10/${x10}/${y10}.pbf`);
    assert.ok(features(region.tile, 10, x10, y10).length > 0);

    for (const path of ['/tiles/car/19/0/0.pbf', '/tiles/car/-1/0/0.pbf', '/tiles/car/2/4/0.pbf', '/tiles/car/2/0/4.pbf', '/tiles/car/a/0/0.pbf', '/tiles/car/2/1.5/0.pbf', '/tiles/car/2/0/x.pbf']) {
      const r = await getJson(base, path);
      assert.equal(r.status, 400, path);
      assert.equal(r.json.code, 'InvalidValue', path);
      assert.equal(typeof r.json.message, 'string');
    }
    const unknown = await getJson(base, '/tiles/boat/2/0/0.pbf');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.code, 'InvalidValue');
    assert.match(unknown.json.message, /unknown profile 'boat'/);
  });

  it('caches tiles per map version: a repeat is a cache hit, the ETag revalidates, a new version cuts afresh', async () => {
    const [x, y] = tileOf(7.4197, 43.7314, 14);
    const path = `/tiles/car/14/${x}/${y}.pbf`;
    const before = { ...server.roadTiles.stats };
    const first = await fetch(base + path);
    const firstBytes = Buffer.from(await first.arrayBuffer());
    const second = await fetch(base + path);
    assert.deepEqual(Buffer.from(await second.arrayBuffer()), firstBytes);
    assert.equal(server.roadTiles.stats.hits, before.hits + 1);
    const etag = second.headers.get('etag')!;
    assert.ok(etag.includes(version));
    const revalidated = await fetch(base + path, { headers: { 'if-none-match': etag } });
    assert.equal(revalidated.status, 304);
    const metrics = (await getJson(base, '/metrics')).json as string;
    assert.match(metrics, /waymark_tile_requests_total\{profile="car",cache="hit"\} \d+/);
    assert.match(metrics, /waymark_tile_generation_seconds_count \d+/);

    // The cache itself: another version of the profile's map is cut again, and its tiles replace the old ones.
    // Concurrent requests for one tile share one cut.
    const carPath = (await monacoMap()).path;
    const cache = new RoadTileCache(new InlineCutter());
    const v1 = { profile: 'car', path: carPath, version };
    const [a, b] = await Promise.all([cache.tile(v1, 14, x, y), cache.tile(v1, 14, x, y)]);
    assert.deepEqual([a.cached, b.cached], [false, true]);
    assert.deepEqual(Buffer.from(a.data), firstBytes);
    assert.equal((await cache.tile(v1, 14, x, y)).cached, true);
    assert.ok(Object.keys(cache.stats.indexBuildMs).length === 1);
    // A checksum that is not the file's is refused: the cutter opens exactly the version asked for.
    await assert.rejects(cache.tile({ ...v1, version: '0123456789abcdef' }, 14, x, y), (e: { code?: string }) => typeof e.code === 'string');
    // A new version of the profile's map (here: another real map file) is cut afresh and replaces the old tiles.
    const dir = tempDir('waymark-tiles-');
    try {
      const footPath = join(dir, 'monaco.foot.wmap');
      await buildMapFromPbf({ input: dataPbf, output: footPath, profile: getProfile('foot') });
      const footMap = native.openMap(footPath);
      const v2 = { profile: 'car', path: footPath, version: native.mapHeader(footMap).checksum };
      native.releaseMap(footMap);
      const c = await cache.tile(v2, 14, x, y);
      assert.equal(c.cached, false);
      assert.notDeepEqual(Buffer.from(c.data), firstBytes); // footways are in it
      assert.equal((await cache.tile(v2, 14, x, y)).cached, true);
      assert.equal((await cache.tile(v1, 14, x, y)).cached, false, 'the old version was dropped');
      assert.equal(Object.keys(cache.stats.indexBuildMs).length, 2);
    } finally {
      await cache.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
