import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { buildMapsFromPbf } from '../src/build/build-map.js';
import { openMapFile, type OpenedMap } from '../src/maps/open.js';
import { native } from '../src/native/index.js';
import { getProfile } from '../src/profiles/index.js';
import { CLOSED } from './graph-access.js';
import { dataPbf, fixtures, tempDir } from './helpers.js';
import { getJson, startServer } from './server-helpers.js';

interface EdgeView {
  forward: boolean;
  backward: boolean;
  kmh: number;
}

/** The edges of a map by street name: open directions and speed. */
function edgesByName(map: OpenedMap): Map<string, EdgeView[]> {
  const names = native.mapSection(map.handle, 'name_chars', 'u8');
  const first = native.mapSection(map.handle, 'name_first', 'u32');
  const edgeName = native.mapSection(map.handle, 'edge_name', 'u32');
  const fwd = native.mapSection(map.handle, 'edge_duration_forward', 'u32');
  const bwd = native.mapSection(map.handle, 'edge_duration_backward', 'u32');
  const len = native.mapSection(map.handle, 'edge_length_cm', 'u32');
  const decoder = new TextDecoder();
  const out = new Map<string, EdgeView[]>();
  edgeName.forEach((n, e) => {
    const name = decoder.decode(names.subarray(first[n], first[n + 1]));
    const ms = fwd[e] !== CLOSED ? fwd[e] : bwd[e];
    const view = { forward: fwd[e] !== CLOSED, backward: bwd[e] !== CLOSED, kmh: (len[e] / 100 / (ms / 1000)) * 3.6 };
    out.set(name, [...(out.get(name) ?? []), view]);
  });
  return out;
}

describe('car, bike and foot profiles from one osmium pass', () => {
  const maps: Record<string, OpenedMap> = {};
  before(async () => {
    const dir = tempDir();
    const pbf = join(dir, 'profiles.osm.pbf');
    const r = spawnSync('osmium', ['cat', join(fixtures, 'profiles.osm'), '-o', pbf, '--overwrite'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const results = await buildMapsFromPbf({
      input: pbf,
      targets: ['car', 'bike', 'foot'].map((p) => ({ profile: getProfile(p), output: join(dir, `${p}.wmap`) })),
    });
    assert.deepEqual(results.map((x) => x.profile), ['car', 'bike', 'foot']);
    for (const p of ['car', 'bike', 'foot']) maps[p] = openMapFile(join(dir, `${p}.wmap`));
  });

  it('car: oneways one way (contraflow is for bikes), no cycleway, footway or steps', () => {
    const car = edgesByName(maps.car);
    for (const name of ['Oneway Plain', 'Oneway Contraflow', 'Oneway Bike Exempt']) {
      assert.ok(car.get(name)!.every((e) => e.forward !== e.backward), `${name} is one-directional for cars`);
    }
    for (const name of ['Cycle Path', 'Dismount Walk', 'Stairs']) assert.equal(car.get(name), undefined, `${name} is not for cars`);
    assert.ok(car.get('Back Road')!.every((e) => e.forward && e.backward));
  });

  it('bike: honours oneway, oneway:bicycle=no and contraflow; cycleways fast, dismount at walking pace, steps slow; no motorway', () => {
    const bike = edgesByName(maps.bike);
    assert.ok(bike.get('Oneway Plain')!.every((e) => e.forward !== e.backward), 'plain oneway');
    assert.ok(bike.get('Oneway Contraflow')!.every((e) => e.forward && e.backward), 'cycleway=opposite allows contraflow');
    assert.ok(bike.get('Oneway Bike Exempt')!.every((e) => e.forward && e.backward), 'oneway:bicycle=no');
    assert.ok(Math.abs(bike.get('Cycle Path')![0].kmh - 18) < 0.5, `cycleway speed ${bike.get('Cycle Path')![0].kmh}`);
    assert.ok(Math.abs(bike.get('Dismount Walk')![0].kmh - 5) < 0.3, `dismount speed ${bike.get('Dismount Walk')![0].kmh}`);
    assert.ok(Math.abs(bike.get('Stairs')![0].kmh - 2) < 0.2, `steps speed ${bike.get('Stairs')![0].kmh}`);
    assert.equal(bike.get('Fast Road'), undefined);
  });

  it('foot: every way both directions at walking pace, slower on steps; no motorway', () => {
    const foot = edgesByName(maps.foot);
    for (const name of ['Oneway Plain', 'Oneway Contraflow', 'Cycle Path', 'Dismount Walk', 'Stairs', 'Back Road']) {
      assert.ok(foot.get(name)!.every((e) => e.forward && e.backward), `${name} is two-way on foot`);
    }
    assert.ok(Math.abs(foot.get('Back Road')![0].kmh - 5) < 0.2);
    assert.ok(Math.abs(foot.get('Stairs')![0].kmh - 3) < 0.2);
    assert.equal(foot.get('Fast Road'), undefined);
  });

  it('one server serves all three profiles, by URL, JSON field and alias', async () => {
    const dir = tempDir();
    const results = await buildMapsFromPbf({
      input: dataPbf,
      targets: ['car', 'bike', 'foot'].map((p) => ({ profile: getProfile(p), output: join(dir, `monaco.${p}.wmap`) })),
    });
    const { server, base } = await startServer({ maps: Object.fromEntries(results.map((r) => [r.profile, r.output])) });
    try {
      const coords = '7.4197,43.7314;7.4265,43.739';
      const durations: Record<string, number> = {};
      for (const p of ['car', 'bike', 'foot', 'driving']) {
        const r = await getJson(base, `/route/v1/${p}/${coords}?overview=false`);
        assert.equal(r.status, 200, `${p}: ${JSON.stringify(r.json)}`);
        durations[p] = r.json.routes[0].duration;
      }
      assert.equal(durations.driving, durations.car);
      assert.ok(durations.car < durations.bike && durations.bike < durations.foot, JSON.stringify(durations));
      const json = await fetch(`${base}/route`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ coordinates: [[7.4197, 43.7314], [7.4265, 43.739]], geometry: false, profile: 'foot' }),
      });
      assert.equal(((await json.json()) as { duration: number }).duration, durations.foot);
      const unknown = await getJson(base, `/route/v1/boat/${coords}`);
      assert.equal(unknown.status, 400);
      assert.match(unknown.json.message, /unknown profile 'boat'/);
    } finally {
      await server.close();
    }
  });
});
