/**
 * Live traffic: the CSV reader (property tests: any chunking gives the same result, a malformed line
 * is refused with its line number), its application (routes on the traffic metric equal plain
 * Dijkstra on the same weights; speeds and turn penalties change travel times as written; speed 0
 * closes a road), and POST /admin/traffic on a real listener under continuous load: no request
 * fails, answers move to the new version, a bad file leaves the old metric serving, and a file far
 * larger than the JSON body limit streams through.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { native, type MapHandle } from '../src/native/index.js';
import { drivableOsmSegments } from '../src/routing/traffic.js';
import type { WaymarkServer } from '../src/server/app.js';
import { monacoMap } from './helpers.js';
import { getJson, startServer } from './server-helpers.js';

function push(map: MapHandle, text: string, cuts: number[] = []) {
  const update = native.trafficCreate(map);
  const bytes = Buffer.from(text);
  let at = 0;
  for (const c of [...cuts.map((x) => Math.floor(x * bytes.length)).sort((a, b) => a - b), bytes.length]) {
    native.trafficPush(update, bytes.subarray(at, Math.max(at, c)));
    at = Math.max(at, c);
  }
  return update;
}

const validSpeedLine = fc
  .tuple(fc.bigInt({ min: 0n, max: 2n ** 62n }), fc.bigInt({ min: 0n, max: 2n ** 62n }), fc.integer({ min: 0, max: 200 }), fc.option(fc.double({ min: 0.1, max: 100, noNaN: true }), { nil: undefined }))
  .map(([a, b, s, r]) => `${a},${b},${s}${r === undefined ? '' : `,${r}`}`);
const invalidSpeedLine = fc.constantFrom('1,2', '1,2,3,4,5', 'a,2,30', '1,b,30', '1,2,fast', '1,2,-5', '1,2,30,0', '-1,2,30', '1,2,1e9', '1,2,', ',,', '1;2;30', '# comment');

describe('traffic files', () => {
  let map: MapHandle;
  before(async () => {
    map = (await monacoMap()).map.handle;
  });

  it('any chunking of valid lines reads the same (property)', () => {
    fc.assert(
      fc.property(fc.array(validSpeedLine, { maxLength: 40 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }), fc.boolean(), (lines, cuts, crlf) => {
        const text = lines.join(crlf ? '\r\n' : '\n') + '\n';
        const whole = native.trafficPush(push(map, text), new Uint8Array());
        const chunked = native.trafficPush(push(map, text, cuts), new Uint8Array());
        assert.deepEqual(chunked, whole);
        assert.equal(whole.speedLines, lines.length);
      }),
      { numRuns: 60 },
    );
  });

  it('a malformed line is refused with its line number, however the file is cut (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(validSpeedLine, { maxLength: 20 }), invalidSpeedLine, fc.nat(), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }), async (lines, bad, at, cuts) => {
        const k = lines.length === 0 ? 0 : at % (lines.length + 1);
        const all = [...lines.slice(0, k), bad, ...lines.slice(k)];
        // Refused while reading, or at the end when the bad line is the last one (no newline after it).
        await assert.rejects(
          async () => native.trafficFinish(push(map, all.join('\n'), cuts), 1),
          (e: { code: string; message: string }) => e.code === 'InvalidTrafficFile' && e.message.startsWith(`line ${k + 1}: `),
        );
      }),
      { numRuns: 60 },
    );
  });

  it('counts unknown node pairs and coverage; a refused turn line names its line', async () => {
    const segs = [...drivableOsmSegments(map)];
    const text = [...segs.map((s) => `${s.from},${s.to},30`), '1,2,50', '3,4,50', '# turns', '1,2,3,5'].join('\n');
    const { stats, metric } = await native.trafficFinish(push(map, text), 1);
    assert.equal(stats.osmSegmentsSet, stats.osmSegments);
    assert.equal(stats.osmSegments, new Set(segs.map((s) => `${s.from},${s.to}`)).size);
    assert.equal(stats.unknownSegments, 2);
    assert.equal(stats.unknownTurns, 1);
    native.metricUnpin(map, 'traffic:1');
    native.releaseMap(metric);
    assert.throws(() => native.trafficPush(push(map, '1,2,30\n# turns\n1,2,30\n'), new Uint8Array()), /line 3: expected 4 or 5/);
  });
});

describe('traffic metrics are exact and do what the file says', () => {
  let map: MapHandle;
  let segs: { from: bigint; to: bigint; edge: number }[];
  before(async () => {
    map = (await monacoMap()).map.handle;
    segs = [...drivableOsmSegments(map)];
  });

  async function metricOf(lines: string[], version: number) {
    const r = await native.trafficFinish(push(map, lines.join('\n')), version);
    return r;
  }

  it('routes and tables on random speeds equal plain Dijkstra on the same weights', async () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const { metric } = await metricOf(segs.map((s) => `${s.from},${s.to},${(5 + 100 * rand()).toFixed(1)}`), 101);
    const pts = native.randomRoadPoints(map, 100, 3);
    for (let i = 0; i < pts.length; i += 4) {
      const pair = pts.slice(i, i + 4);
      const r = native.route(metric, pair, { geometry: false });
      const d = native.referenceRoute(metric, pair);
      assert.ok(Math.abs(r.duration - d.duration) < 0.002, `pair ${i / 4}: ${r.duration} vs ${d.duration}`);
      assert.equal(r.weight, r.duration);
      const t = native.matrix(metric, pair.slice(0, 2), pair.slice(2));
      assert.ok(Math.abs(t.durations![0] - r.duration) < 0.002);
    }
    native.metricUnpin(map, 'traffic:101');
  });

  it('a uniform speed makes every route take distance / speed plus its turn costs; speed 0 closes roads', async () => {
    const { metric } = await metricOf(segs.map((s) => `${s.from},${s.to},36`), 102);
    const pts = native.randomRoadPoints(map, 60, 5);
    for (let i = 0; i < pts.length; i += 4) {
      const pair = pts.slice(i, i + 4);
      const r = native.route(metric, pair, { geometry: false, pieces: true });
      let driving = 0;
      const p = r.legs[0].pieces!;
      for (let k = 0; k < p.length; k += 4) driving += p[k + 3] / 10; // 36 km/h = 10 m/s, without the turn costs
      assert.ok(r.duration >= driving - 0.01 && r.duration - driving < 60 + 30 * (p.length / 4), `pair ${i / 4}: ${r.duration} vs ${driving}`);
    }
    native.metricUnpin(map, 'traffic:102');
    // Close the road under a route's middle: the route avoids it, or there is no route.
    const pair = pts.slice(0, 4);
    const plain = native.route(map, pair, { pieces: true });
    const pieces = plain.legs[0].pieces!;
    const edgeOfMiddle = native.snap(map, Float64Array.from(plain.geometry.slice(2 * pieces[Math.floor(pieces.length / 8) * 4], 2 * pieces[Math.floor(pieces.length / 8) * 4] + 2)))[0].edge;
    const closed = segs.filter((s) => s.edge === edgeOfMiddle).map((s) => `${s.from},${s.to},0`);
    const { metric: m2, stats } = await metricOf(closed, 103);
    assert.ok(stats.closedSegments >= 1);
    try {
      const r = native.route(m2, pair, { geometry: false });
      assert.equal(r.duration, native.referenceRoute(m2, pair).duration);
    } catch (e) {
      assert.ok(['NoRoute', 'NoSegment'].includes((e as { code: string }).code));
    }
    native.metricUnpin(map, 'traffic:103');
  });

  it('a turn penalty on a route\'s turn adds its seconds (or the route goes round it)', async () => {
    const pts = native.randomRoadPoints(map, 40, 11);
    const nodeId = native.mapSection(map, 'node_osm_id', 'i64');
    const from = native.mapSection(map, 'edge_from', 'u32');
    const to = native.mapSection(map, 'edge_to', 'u32');
    let checked = 0;
    for (let i = 0; i < pts.length && checked < 5; i += 4) {
      const pair = pts.slice(i, i + 4);
      const segments = native.routeSegments(map, pair).segments;
      if (segments.length < 3) continue;
      // The first turn of the route, at a junction: the OSM nodes around it.
      const polylineIds = (e: number, dir: number) => {
        const shape = native.mapSection(map, 'shape_osm_id', 'i64');
        const first = native.mapSection(map, 'edge_shape_first', 'u32');
        const ids = [nodeId[from[e]], ...shape.slice(first[e], first[e + 1]), nodeId[to[e]]];
        return dir === 0 ? ids : ids.reverse();
      };
      const edgeDir = native.mapSection(map, 'segment_edge_dir', 'u32');
      const a = polylineIds(edgeDir[segments[0]] >> 1, edgeDir[segments[0]] & 1);
      const b = polylineIds(edgeDir[segments[1]] >> 1, edgeDir[segments[1]] & 1);
      const line = `${a[a.length - 2]},${a[a.length - 1]},${b[1]},120`;
      const { metric, stats } = await metricOf(['# turns', line], 200 + i);
      assert.equal(stats.unknownTurns, 0, line);
      const before = native.route(map, pair, { geometry: false }).duration;
      const after = native.route(metric, pair, { geometry: false }).duration;
      assert.equal(after, native.referenceRoute(metric, pair).duration);
      assert.ok(after > before && after <= before + 120 + 0.01, `${before} -> ${after}`);
      native.metricUnpin(map, `traffic:${200 + i}`);
      checked++;
    }
    assert.ok(checked >= 3);
  });
});

describe('POST /admin/traffic', () => {
  let server: WaymarkServer;
  let base: string;
  let segs: { from: bigint; to: bigint; edge: number }[];
  const auth = { authorization: 'Bearer sesame', 'content-type': 'text/csv' };
  before(async () => {
    ({ server, base } = await startServer({ adminToken: 'sesame', bodyLimitBytes: 64 * 1024 }));
    segs = [...drivableOsmSegments((await monacoMap()).map.handle)];
  });
  after(async () => {
    await server.close();
  });
  const post = async (body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = auth) => {
    const res = await fetch(`${base}/admin/traffic`, { method: 'POST', headers, body, duplex: 'half' } as RequestInit);
    return { status: res.status, json: (await res.json()) as any };
  };

  it('swaps metrics under continuous load: no request fails, answers move to the new version', async () => {
    const A = '7.4197,43.7314', B = '7.4265,43.739';
    const plain = await getJson(base, `/route/v1/car/${A};${B}?overview=false`);
    const checksum = plain.headers.get('x-map-version')!;
    let stop = false;
    const seen: { version: string; duration: number; status: number }[] = [];
    const load = async () => {
      while (!stop) {
        const r = await getJson(base, `/route/v1/car/${A};${B}?overview=false`);
        seen.push({ version: r.headers.get('x-map-version') ?? '', duration: r.json.routes?.[0]?.duration, status: r.status });
        const t = await getJson(base, `/table/v1/car/${A};${B}`);
        seen.push({ version: t.headers.get('x-map-version') ?? '', duration: t.json.durations?.[0]?.[1], status: t.status });
      }
    };
    const loops = [load(), load(), load()];
    const results: any[] = [];
    for (const speed of [20, 10, 40]) {
      const r = await post(segs.map((s) => `${s.from},${s.to},${speed}`).join('\n'));
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(r.json.coverage, 1);
      results.push(r.json);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    stop = true;
    await Promise.all(loops);
    assert.ok(seen.length > 20);
    assert.deepEqual(seen.filter((s) => s.status !== 200), []);
    const versions = [...new Set(seen.map((s) => s.version))];
    assert.ok(versions.includes(checksum));
    for (const r of results) assert.ok(versions.includes(r.mapVersion), `${r.mapVersion} never answered`);
    // Each version answers its own speeds: slower traffic, longer routes.
    const durationOf = (v: string) => seen.find((s) => s.version === v)!.duration;
    assert.ok(durationOf(results[1].mapVersion) > durationOf(results[0].mapVersion));
    assert.ok(durationOf(results[0].mapVersion) > durationOf(results[2].mapVersion));
    const after = await getJson(base, `/route/v1/car/${A};${B}?overview=false`);
    assert.equal(after.headers.get('x-map-version'), results[2].mapVersion);

    // Plans agree with routes: the VRP's matrix comes from the traffic serving now.
    const vrp = await fetch(`${base}/vrp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vehicles: [{ id: 1, start: A.split(',').map(Number) }], jobs: [{ id: 1, location: B.split(',').map(Number) }], options: { time_limit: 0.2 } }),
    }).then((r) => r.json() as Promise<any>);
    assert.ok(Math.abs(vrp.summary.duration - after.json.routes[0].duration) <= 1, `${vrp.summary.duration} vs ${after.json.routes[0].duration}`);

    const info = await getJson(base, '/info');
    assert.equal(info.json.maps.car.traffic.version, results[2].version);
    assert.equal(info.json.maps.car.traffic.coverage, 1);
    assert.ok(info.json.maps.car.traffic.ageSeconds >= 0);
    const metrics = await getJson(base, '/metrics');
    assert.match(metrics.json, new RegExp(`waymark_traffic_version\\{profile="car"\\} ${results[2].version}`));
    assert.match(metrics.json, /waymark_traffic_age_seconds\{profile="car"\} [0-9.]+/);
    assert.match(metrics.json, /waymark_traffic_coverage_ratio\{profile="car"\} 1/);
  });

  it('refuses a bad file with its line number, and the serving metric stays', async () => {
    const before = await getJson(base, '/route/v1/car/7.4197,43.7314;7.4265,43.739?overview=false');
    const lines = segs.slice(0, 50).map((s) => `${s.from},${s.to},25`);
    lines.splice(17, 0, `${segs[0].from},${segs[0].to},quick`);
    const r = await post(lines.join('\n'));
    assert.equal(r.status, 400);
    assert.equal(r.json.code, 'InvalidTrafficFile');
    assert.match(r.json.message, /^line 18: speed_kmh 'quick' is not a number/);
    const after = await getJson(base, '/route/v1/car/7.4197,43.7314;7.4265,43.739?overview=false');
    assert.equal(after.headers.get('x-map-version'), before.headers.get('x-map-version'));
    assert.equal(after.json.routes[0].duration, before.json.routes[0].duration);
    assert.equal((await post('1,2,3', { 'content-type': 'text/csv' })).status, 401);
    assert.equal((await post('{}', { ...auth, 'content-type': 'application/json' })).status, 415);
  });

  it('streams a file far over the JSON body limit (165,000 lines, about 4 MB)', async () => {
    const lines = segs.map((s) => `${s.from},${s.to},33`);
    const total = 165_000;
    let sent = 0;
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= total) return controller.close();
        const n = Math.min(5000, total - sent);
        const chunk: string[] = [];
        for (let i = 0; i < n; i++) chunk.push(lines[(sent + i) % lines.length]);
        sent += n;
        controller.enqueue(encoder.encode(chunk.join('\n') + '\n'));
      },
    });
    const r = await post(body);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.stats.speedLines, total);
    assert.equal(r.json.coverage, 1);
    const cleared = await fetch(`${base}/admin/traffic`, { method: 'DELETE', headers: { authorization: 'Bearer sesame' } });
    assert.equal(cleared.status, 200);
    const plain = await getJson(base, '/route/v1/car/7.4197,43.7314;7.4265,43.739?overview=false');
    assert.ok(!plain.headers.get('x-map-version')!.includes('+t'));
  });
});
