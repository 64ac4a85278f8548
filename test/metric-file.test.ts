/**
 * Metric files (native/metric/metric_file.h): a traffic metric written by `waymark traffic ... -o`
 * loads without customizing and answers exactly like the metric it was written from and like plain
 * Dijkstra on its weights; damaged, truncated, foreign (another map's) and missing files are refused
 * with their codes; `waymark serve --traffic <file>` serves the same routes as a server given the
 * same CSV live, and POST /admin/traffic takes a metric file body.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildMapFromPbf } from '../src/build/build-map.js';
import { native, type MapHandle } from '../src/native/index.js';
import { drivableOsmSegments } from '../src/routing/traffic.js';
import { openMapFile } from '../src/maps/open.js';
import { getProfile } from '../src/profiles/index.js';
import type { WaymarkServer } from '../src/server/app.js';
import { fixtures, monacoMap, repoRoot, runCli, tempDir } from './helpers.js';
import { getJson, startChildServer, startServer, stopChild } from './server-helpers.js';

/** A deterministic traffic file: random speeds on most segments, some closed (when `closed`), some with a rate (when `withRates`). */
function trafficCsv(map: MapHandle, seed: number, withRates = false, closed = true): string {
  let s = seed >>> 0;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const lines: string[] = [];
  for (const seg of drivableOsmSegments(map)) {
    const x = r();
    if (x < 0.2) continue;
    const speed = closed && x < 0.205 ? 0 : Math.round(5 + 90 * r());
    lines.push(`${seg.from},${seg.to},${speed}${withRates && r() < 0.5 ? `,${(2 + 20 * r()).toFixed(1)}` : ''}`);
  }
  return lines.join('\n') + '\n';
}

async function finish(map: MapHandle, csv: string, version: number) {
  const update = native.trafficCreate(map);
  native.trafficPush(update, Buffer.from(csv));
  return native.trafficFinish(update, version);
}

let exclusion: Promise<string> | undefined;
/** Another map: the small exclusion fixture's (test/fixtures/exclude.osm). */
function otherMapPath(): Promise<string> {
  exclusion ??= (async () => {
    const dir = tempDir();
    const pbf = join(dir, 'exclude.osm.pbf');
    assert.equal(spawnSync('osmium', ['cat', join(fixtures, 'exclude.osm'), '-o', pbf, '--overwrite']).status, 0);
    const path = join(dir, 'exclude.wmap');
    await buildMapFromPbf({ input: pbf, output: path, profile: getProfile('car') });
    return path;
  })();
  return exclusion;
}

const codeOf = (fn: () => unknown): string | number => {
  try {
    return fn() as number;
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe('metric files: written once, loaded without customizing', () => {
  let map: MapHandle;
  let mapPath: string;
  let dir: string;
  before(async () => {
    const m = await monacoMap();
    map = m.map.handle;
    mapPath = m.path;
    dir = tempDir();
  });

  for (const withRates of [false, true]) {
    it(`the loaded metric answers as the customized one and as plain Dijkstra${withRates ? ' (weight is not travel time: rates)' : ''}`, async () => {
      const v = withRates ? 320 : 310;
      const live = await finish(map, trafficCsv(map, v, withRates), v);
      const file = join(dir, `t${v}.wmetric`);
      const createdAtMs = Date.parse('2026-01-02T03:04:05Z');
      const written = native.metricWrite(live.metric, file, { stats: live.stats, version: 42, createdAtMs });
      assert.equal(written.bytes, statSync(file).size);
      const loaded = await native.metricLoad(map, file, v + 1);
      assert.deepEqual(loaded.stats, live.stats);
      assert.equal(loaded.trafficVersion, 42);
      assert.equal(loaded.createdAtMs, createdAtMs);
      assert.equal(loaded.customizeMs, live.customizeMs);
      assert.deepEqual(native.metricInfo(loaded.metric), { ...native.metricInfo(live.metric)!, key: `traffic:${v + 1}`, version: v + 1 });
      assert.equal(native.metricInfo(loaded.metric)!.weightIsTravelTime, !withRates);
      const pts = native.randomRoadPoints(map, 120, v);
      let routed = 0;
      for (let i = 0; i + 3 < pts.length; i += 4) {
        const pair = pts.slice(i, i + 4);
        const a = codeOf(() => native.route(live.metric, pair, { geometry: false }));
        const b = codeOf(() => native.route(loaded.metric, pair, { geometry: false }));
        assert.deepEqual(b, a, `pair ${i / 4}`);
        // The oracle: Dijkstra on the loaded metric's own weights.
        const oracle = codeOf(() => native.referenceRoute(loaded.metric, pair));
        if (typeof b === 'string' || typeof oracle === 'string') {
          assert.equal(typeof b === 'string' ? b : 'routed', typeof oracle === 'string' ? oracle : 'routed', `pair ${i / 4}`);
          continue;
        }
        const route = b as unknown as ReturnType<typeof native.route>;
        const ref = oracle as unknown as ReturnType<typeof native.referenceRoute>;
        assert.ok(Math.abs(route.weight - ref.duration) < 0.002 + 1e-6 * ref.duration, `pair ${i / 4}: ${route.weight} vs Dijkstra ${ref.duration}`);
        const t = native.matrix(loaded.metric, pair.slice(0, 2), pair.slice(2));
        assert.ok(Math.abs(t.durations![0] - route.duration) < 0.002, `pair ${i / 4}: table ${t.durations![0]} vs route ${route.duration}`);
        routed++;
      }
      assert.ok(routed >= 20, `${routed} routed pairs`);
      native.metricUnpin(map, `traffic:${v}`);
      native.metricUnpin(map, `traffic:${v + 1}`);
      native.releaseMap(live.metric);
      native.releaseMap(loaded.metric);
    });
  }

  it('refuses damaged, truncated, foreign and missing files with their codes (never a crash)', async () => {
    const live = await finish(map, trafficCsv(map, 330), 330);
    const good = join(dir, 'good.wmetric');
    native.metricWrite(live.metric, good, { stats: live.stats });
    native.metricUnpin(map, 'traffic:330');
    const bytes = readFileSync(good);
    const variant = (name: string, edit: (b: Buffer) => Buffer) => {
      const path = join(dir, name);
      writeFileSync(path, edit(Buffer.from(bytes)));
      return path;
    };
    const refused = async (path: string, code: string, message?: RegExp) =>
      assert.rejects(native.metricLoad(map, path, 339), (e: { code: string; message: string }) => {
        assert.equal(e.code, code, e.message);
        if (message) assert.match(e.message, message);
        return true;
      });
    const flip = (at: number) => (b: Buffer) => {
      b[at] ^= 0x55;
      return b;
    };
    await refused(variant('section.wmetric', flip(bytes.length - 100)), 'MetricCorrupt', /checksum mismatch/);
    await refused(variant('middle.wmetric', flip(Math.floor(bytes.length / 2))), 'MetricCorrupt', /checksum mismatch/);
    await refused(variant('header.wmetric', flip(200)), 'MetricCorrupt', /header/);
    await refused(variant('truncated.wmetric', (b) => b.subarray(0, b.length - 64)), 'MetricCorrupt', /truncated/);
    await refused(variant('short.wmetric', (b) => b.subarray(0, 100)), 'MetricCorrupt', /truncated/);
    await refused(variant('empty.wmetric', (b) => b.subarray(0, 0)), 'MetricCorrupt', /not a Waymark metric/);
    await refused(variant('trailing.wmetric', (b) => Buffer.concat([b, Buffer.alloc(10)])), 'MetricCorrupt', /trailing/);
    await refused(
      variant('version.wmetric', (b) => {
        b.writeUInt32LE(99, 8);
        return b;
      }),
      'MetricVersionUnsupported',
    );
    await refused(mapPath, 'MetricCorrupt', /not a Waymark metric/);
    await refused(join(dir, 'missing.wmetric'), 'MetricNotFound');
    await refused(dir, 'MetricNotFound');
    // Another map: a metric of the small exclusion fixture's map.
    const other = openMapFile(await otherMapPath()).handle;
    await assert.rejects(native.metricLoad(other, good, 1), (e: { code: string; message: string }) => e.code === 'MetricMismatch' && /customized for map/.test(e.message));
    // Nothing was installed by the refusals; the good file still loads; a metric is no base to load onto.
    assert.equal(native.metricOf(map, 'traffic:339'), null);
    const ok = await native.metricLoad(map, good, 339);
    assert.throws(() => native.metricLoad(ok.metric, good, 340), (e: { code: string }) => e.code === 'InvalidArgument');
    assert.throws(() => native.metricWrite(map, join(dir, 'x.wmetric'), {}), (e: { code: string }) => e.code === 'InvalidArgument');
    assert.throws(() => native.metricWrite(ok.metric, dir, {}), (e: { code: string }) => e.code === 'OutputNotWritable');
    native.metricUnpin(map, 'traffic:339');
    native.releaseMap(ok.metric);
    native.releaseMap(live.metric);
  });
});

describe('serve --traffic <file> and POST /admin/traffic with a metric file', () => {
  let mapPath: string;
  let dir: string;
  let csv: string;
  let metricFile: string;
  let server: WaymarkServer;
  let base: string;
  const auth = { authorization: 'Bearer sesame' };
  const pairs = ['7.4197,43.7314;7.4265,43.739', '7.4130,43.7290;7.4360,43.7480', '7.4230,43.7370;7.4100,43.7260', '7.4290,43.7420;7.4190,43.7330'];
  const routes = async (at: string) => {
    const out: unknown[] = [];
    for (const p of pairs) {
      const r = await getJson(at, `/route/v1/car/${p}?overview=full&geometries=polyline6`);
      out.push(r.status === 200 ? { duration: r.json.routes[0].duration, distance: r.json.routes[0].distance, geometry: r.json.routes[0].geometry } : r.json.code);
    }
    const t = await getJson(at, `/table/v1/car/${pairs.join(';')}?annotations=duration,distance`);
    out.push(t.json.durations, t.json.distances);
    return out;
  };
  before(async () => {
    const m = await monacoMap();
    mapPath = m.path;
    dir = tempDir();
    csv = join(dir, 'speeds.csv');
    writeFileSync(csv, trafficCsv(m.map.handle, 400, false, false)); // no closures: the self-test's random points stay connected
    metricFile = join(dir, 'speeds.wmetric');
    ({ server, base } = await startServer({ adminToken: 'sesame' }));
  });
  after(async () => {
    await server.close();
  });

  it('waymark traffic -o writes a metric file after checking it against Dijkstra', () => {
    const r = runCli(['traffic', mapPath, csv, '--check', '10', '-o', metricFile, '--traffic-version', '9']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.check.agreeWithDijkstra, 10);
    assert.equal(out.output.bytes, statSync(metricFile).size);
    assert.equal(out.output.trafficVersion, 9);
    const bad = runCli(['traffic', mapPath, csv, '--check', '0', '-o', dir]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /OutputNotWritable/);
  });

  it('a server started with the file answers exactly as one given the same CSV live', async () => {
    const live = await fetch(`${base}/admin/traffic`, { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: new Uint8Array(readFileSync(csv)) });
    assert.equal(live.status, 200, await live.clone().text());
    const liveRoutes = await routes(base);
    const { child, base: childBase } = await startChildServer([mapPath, '--traffic', metricFile, '--port', '0', '--workers', '1', '--data-dir', tempDir()]);
    try {
      const r = await getJson(childBase, `/route/v1/car/${pairs[0]}?overview=false`);
      assert.match(r.headers.get('x-map-version')!, /^[0-9a-f]{16}\+t1$/);
      assert.deepEqual(await routes(childBase), liveRoutes);
      const info = (await getJson(childBase, '/info')).json.maps.car.traffic;
      assert.equal(info.version, 1);
      assert.equal(info.file.path, metricFile);
      assert.equal(info.file.trafficVersion, 9);
      assert.ok(info.coverage > 0.7 && info.coverage < 0.9, `${info.coverage}`);
      const metrics = (await getJson(childBase, '/metrics')).json as string;
      assert.match(metrics, /waymark_traffic_version\{profile="car"\} 1/);
    } finally {
      await stopChild(child);
    }
  });

  it('POST /admin/traffic takes a metric file body; a damaged or foreign one is refused and the serving metric stays', async () => {
    const post = (body: Buffer) => fetch(`${base}/admin/traffic`, { method: 'POST', headers: { ...auth, 'content-type': 'application/vnd.waymark.metric' }, body: new Uint8Array(body) });
    const before = await routes(base);
    const r = await post(readFileSync(metricFile));
    const json = (await r.json()) as any;
    assert.equal(r.status, 200, JSON.stringify(json));
    assert.equal(json.file.trafficVersion, 9);
    assert.equal(json.customizeMs > 0, true);
    assert.deepEqual(await routes(base), before);
    const serving = (await getJson(base, `/route/v1/car/${pairs[0]}?overview=false`)).headers.get('x-map-version');
    assert.equal(serving, json.mapVersion);

    const damaged = readFileSync(metricFile);
    damaged[damaged.length - 200] ^= 1;
    const bad = await post(damaged);
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as any).code, 'MetricCorrupt');
    const cut = await post(readFileSync(metricFile).subarray(0, 5000));
    assert.equal(cut.status, 400);
    assert.equal(((await cut.json()) as any).code, 'MetricCorrupt');
    // A metric file of another map.
    const otherMap = await otherMapPath();
    const foreign = join(dir, 'foreign.wmetric');
    assert.equal(runCli(['traffic', otherMap, csv, '--check', '0', '-o', foreign]).status, 0);
    const mismatch = await post(readFileSync(foreign));
    assert.equal(mismatch.status, 409);
    assert.equal(((await mismatch.json()) as any).code, 'MetricMismatch');
    assert.equal((await getJson(base, `/route/v1/car/${pairs[0]}?overview=false`)).headers.get('x-map-version'), serving);

    // And a server cannot start on a foreign file.
    const refused = spawnSync(process.execPath, [join(repoRoot, 'bin', 'waymark.js'), 'serve', mapPath, '--traffic', foreign, '--port', '0', '--workers', '1', '--data-dir', tempDir()], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, WAYMARK_LOG_LEVEL: 'warn' },
    });
    assert.notEqual(refused.status, 0);
    assert.match(refused.stdout + refused.stderr, /MetricMismatch/);
    truncateSync(foreign, 0);
  });
});
