/**
 * Driving side: a map built from a left-hand-traffic extract (Valletta, clipped from Malta in
 * ../shared) says so on its own (auto, from where its roads are), steps carry driving_side=left and
 * approaches=curb arrives with the destination on the left; Monaco keeps right; --driving-side
 * overrides the location. Real builds, a real listener, osrm-text-instructions.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildMapFromPbf, detectDrivingSide } from '../src/build/build-map.js';
import { openMapFile } from '../src/maps/open.js';
import { native, type MapHandle } from '../src/native/index.js';
import { getProfile } from '../src/profiles/index.js';
import { WaymarkServer } from '../src/server/app.js';
import { defaultConfig } from '../src/server/config.js';
import { monacoMap, repoRoot, runCli, tempDir } from './helpers.js';
import { getJson } from './server-helpers.js';

const require = createRequire(import.meta.url);
const instructions = require('osrm-text-instructions')('v5') as { compile(language: string, step: unknown): string };

const MALTA = join(repoRoot, '..', 'shared', 'data', 'osm', 'malta.osm.pbf');

/** Points beside roads: a random road point moved `metres` north (so it lies on one side of most roads). */
function besideRoads(map: MapHandle, count: number, seed: number, metres: number): [number, number][] {
  const pts = native.randomRoadPoints(map, count, seed);
  const dLat = metres / 111195;
  return Array.from({ length: count }, (_, i) => [pts[2 * i], pts[2 * i + 1] + dLat] as [number, number]);
}

/** For routes to points beside roads with approaches=curb and =opposite: the arrival sides announced. */
async function arrivalSides(base: string, map: MapHandle, origin: [number, number]): Promise<{ curb: string[]; opposite: string[] }> {
  const out = { curb: [] as string[], opposite: [] as string[] };
  for (const dest of besideRoads(map, 40, 7, 12)) {
    for (const approach of ['curb', 'opposite'] as const) {
      const res = await getJson(base, `/route/v1/car/${origin.join(',')};${dest.join(',')}?steps=true&overview=false&approaches=;${approach}`);
      if (res.status !== 200) continue;
      const arrive = res.json.routes[0].legs[0].steps.at(-1);
      assert.equal(arrive.maneuver.type, 'arrive');
      out[approach].push(arrive.maneuver.modifier);
    }
  }
  return out;
}

describe('driving side', () => {
  let dir: string;
  let vallettaPbf: string;
  before(() => {
    assert.ok(existsSync(MALTA), `the Malta extract is expected at ${MALTA} (shared/ beside the repository)`);
    dir = tempDir();
    vallettaPbf = join(dir, 'valletta.osm.pbf');
    const r = spawnSync('osmium', ['extract', '-b', '14.500,35.893,14.520,35.905', MALTA, '-o', vallettaPbf], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('auto: where the roads are decides (country borders of @rapideditor/country-coder)', () => {
    assert.equal(detectDrivingSide(Float64Array.of(14.51, 35.9, -0.12, 51.5, 139.7, 35.7)).side, 'left'); // Malta, London, Tokyo
    assert.equal(detectDrivingSide(Float64Array.of(7.42, 43.73, 2.35, 48.85)).side, 'right'); // Monaco, Paris
    assert.equal(detectDrivingSide(Float64Array.of(114.17, 22.3, 114.17, 22.28, 113.9, 22.55)).side, 'left'); // Hong Kong beats Shenzhen 2:1
    assert.equal(detectDrivingSide(new Float64Array(0)).side, 'right'); // nothing known: right
  });

  describe('on a left-hand-traffic map (Valletta)', () => {
    let server: WaymarkServer;
    let base: string;
    let mapPath: string;
    before(async () => {
      mapPath = join(dir, 'valletta.car.wmap');
      const result = await buildMapFromPbf({ input: vallettaPbf, output: mapPath, profile: getProfile('car') });
      assert.equal(result.drivingSide, 'left');
      assert.equal(result.drivingSideFrom, 'location');
      server = new WaymarkServer({ ...defaultConfig({ car: mapPath }), port: 0, workers: 1, logLevel: 'warn', dataDir: tempDir('waymark-data-') });
      base = await server.listen();
      await server.loadMaps();
    });
    after(async () => {
      await server.close();
    });

    it('the map header says left; every step says driving_side=left and speaks English', async () => {
      const map = openMapFile(mapPath);
      assert.equal(map.header.drivingSide, 'left');
      const pts = native.randomRoadPoints(map.handle, 20, 3);
      let steps = 0;
      for (let i = 0; i < 10; i++) {
        const res = await getJson(base, `/route/v1/car/${pts[4 * i]},${pts[4 * i + 1]};${pts[4 * i + 2]},${pts[4 * i + 3]}?steps=true`);
        if (res.status !== 200) continue;
        for (const s of res.json.routes[0].legs[0].steps) {
          steps++;
          assert.equal(s.driving_side, 'left');
          assert.ok(instructions.compile('en', s).length > 0);
        }
      }
      assert.ok(steps > 20, `${steps} steps`);
    });

    it('approaches=curb arrives with the destination on the left (the kerb), opposite on the right', async () => {
      const map = openMapFile(mapPath);
      const origin = besideRoads(map.handle, 1, 99, 0)[0];
      const sides = await arrivalSides(base, map.handle, origin);
      const curbSided = sides.curb.filter((m) => m !== 'straight');
      const oppositeSided = sides.opposite.filter((m) => m !== 'straight');
      assert.ok(curbSided.length >= 10 && oppositeSided.length >= 10, JSON.stringify(sides));
      assert.ok(curbSided.every((m) => m === 'left'), JSON.stringify(sides.curb));
      assert.ok(oppositeSided.every((m) => m === 'right'), JSON.stringify(sides.opposite));
    });

    it('match and trip steps say left too', async () => {
      const map = openMapFile(mapPath);
      const pts = native.randomRoadPoints(map.handle, 3, 5);
      const coords = `${pts[0]},${pts[1]};${pts[2]},${pts[3]};${pts[4]},${pts[5]}`;
      const trip = await getJson(base, `/trip/v1/car/${coords}?steps=true`);
      assert.equal(trip.status, 200, JSON.stringify(trip.json));
      for (const leg of trip.json.trips[0].legs) for (const s of leg.steps) assert.equal(s.driving_side, 'left');
      const route = await getJson(base, `/route/v1/car/${pts[0]},${pts[1]};${pts[2]},${pts[3]}?overview=full&geometries=geojson`);
      const line = route.json.routes[0].geometry.coordinates as [number, number][];
      const trace = line.filter((_, i) => i % 2 === 0 || i === line.length - 1).map((p) => p.join(',')).join(';');
      const match = await getJson(base, `/match/v1/car/${trace}?steps=true`);
      assert.equal(match.status, 200, JSON.stringify(match.json));
      for (const leg of match.json.matchings[0].legs) for (const s of leg.steps) assert.equal(s.driving_side, 'left');
    });
  });

  it('on Monaco (right-hand traffic) curb is the right side; --driving-side overrides the location', async () => {
    const { result, map, path } = await monacoMap();
    assert.equal(result.drivingSide, 'right');
    assert.equal(map.header.drivingSide, 'right');
    const server = new WaymarkServer({ ...defaultConfig({ car: path }), port: 0, workers: 1, logLevel: 'warn', dataDir: tempDir('waymark-data-') });
    const base = await server.listen();
    try {
      await server.loadMaps();
      const sides = await arrivalSides(base, map.handle, [7.4197, 43.7314]);
      const curbSided = sides.curb.filter((m) => m !== 'straight');
      assert.ok(curbSided.length >= 10, JSON.stringify(sides));
      assert.ok(curbSided.every((m) => m === 'right'), JSON.stringify(sides.curb));
      const res = await getJson(base, '/route/v1/car/7.4197,43.7314;7.4265,43.739?steps=true');
      assert.ok(res.json.routes[0].legs[0].steps.every((s: any) => s.driving_side === 'right'));
    } finally {
      await server.close();
    }
    const forced = join(dir, 'valletta-right.wmap');
    const cli = runCli(['build', vallettaPbf, '-o', forced, '--driving-side', 'right']);
    assert.equal(cli.status, 0, cli.stderr);
    const summary = JSON.parse(cli.stdout);
    assert.deepEqual([summary.drivingSide, summary.drivingSideFrom], ['right', 'option']);
    assert.equal(openMapFile(forced).header.drivingSide, 'right');
    const bad = runCli(['build', vallettaPbf, '-o', join(dir, 'x.wmap'), '--driving-side', 'middle']);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr + bad.stdout, /left, right or auto/);
  });
});
