/**
 * Tiny route queries answered on the main thread (src/server/inline-queries.ts): the answers, errors
 * and headers are exactly those of the worker path (a second server with inline queries off answers
 * the same requests), only tiny requests on small enough maps take the inline path (the
 * waymark_inline_queries_total counter says which path answered), and a map swap reaches them.
 */
import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { native } from '../src/native/index.js';
import type { OsrmRouteOptions } from '../src/routing/osrm-route.js';
import type { LonLat } from '../src/routing/route.js';
import type { WaymarkServer } from '../src/server/app.js';
import { inlineAllowed, tinyOsrmRoute, tinyRoute } from '../src/server/inline-queries.js';
import { monacoMap, tempDir } from './helpers.js';
import { getJson, startServer } from './server-helpers.js';

async function inlineCount(base: string): Promise<Record<string, number>> {
  const text = (await getJson(base, '/metrics')).json as string;
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^waymark_inline_queries_total\{kind="([^"]+)"\} (\d+)/gm)) out[m[1]] = Number(m[2]);
  return out;
}

async function raw(base: string, path: string, body?: unknown): Promise<{ status: number; text: string; version: string | null }> {
  const res = await fetch(base + path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text(), version: res.headers.get('x-map-version') };
}

describe('inline route queries', () => {
  let inline: { server: WaymarkServer; base: string };
  let pooled: { server: WaymarkServer; base: string };
  let points: LonLat[];
  before(async () => {
    const { map } = await monacoMap();
    const flat = native.randomRoadPoints(map.handle, 40, 11);
    points = Array.from({ length: 40 }, (_, i) => [flat[2 * i], flat[2 * i + 1]] as LonLat);
    inline = await startServer();
    pooled = await startServer({ inlineMaxSegments: 0 });
  });
  after(async () => {
    await inline.server.close();
    await pooled.server.close();
  });

  it('answers tiny POST /route and GET /route/v1 requests on the main thread, byte for byte as the workers do', async () => {
    const before = await inlineCount(inline.base);
    for (let i = 0; i + 1 < points.length; i += 2) {
      const body = { coordinates: [points[i], points[i + 1]], geometry: false };
      const a = await raw(inline.base, '/route', body);
      const b = await raw(pooled.base, '/route', body);
      assert.equal(a.status, 200);
      assert.deepEqual(a, b);
      const path = `/route/v1/car/${points[i].join(',')};${points[i + 1].join(',')}?overview=false`;
      const c = await raw(inline.base, path);
      const d = await raw(pooled.base, path);
      assert.equal(c.status, 200);
      assert.deepEqual(c, d);
      // OSRM options that keep the work tiny: hints off, a radius, and a hint from the answer.
      const hinted = JSON.parse(c.text) as { waypoints: { hint: string }[] };
      const options = `&generate_hints=false&radiuses=500;unlimited&hints=${hinted.waypoints[0].hint};`;
      assert.deepEqual(await raw(inline.base, path + options), await raw(pooled.base, path + options));
    }
    const after = await inlineCount(inline.base);
    assert.equal(after.route - (before.route ?? 0), points.length / 2);
    assert.equal(after['osrm-route'] - (before['osrm-route'] ?? 0), points.length);
    assert.deepEqual(await inlineCount(pooled.base), {}, 'inline queries off: every query went to a worker');
  });

  it('sends everything that is not tiny to the workers', async () => {
    const before = await inlineCount(inline.base);
    const [a, b, c] = points;
    for (const body of [
      { coordinates: [a, b] },
      { coordinates: [a, b], geometry: 'polyline' },
      { coordinates: [a, b, c], geometry: false },
      { coordinates: [a, b], geometry: false, steps: true },
      { coordinates: [a, b], geometry: false, alternatives: 1 },
      { coordinates: [a, b], geometry: false, annotations: ['duration'] },
    ]) {
      const x = await raw(inline.base, '/route', body);
      assert.equal(x.status, 200, JSON.stringify(body));
      assert.deepEqual(x, await raw(pooled.base, '/route', body));
    }
    const pair = `${a.join(',')};${b.join(',')}`;
    for (const query of ['', '?overview=simplified', '?overview=false&steps=true', '?overview=false&alternatives=true', '?overview=false&annotations=duration']) {
      assert.equal((await raw(inline.base, `/route/v1/car/${pair}${query}`)).status, 200, query);
    }
    assert.equal((await raw(inline.base, `/route/v1/car/${pair};${c.join(',')}?overview=false`)).status, 200);
    assert.deepEqual(await inlineCount(inline.base), before);
  });

  it('gives the same { code, message } errors as the workers', async () => {
    const far: LonLat = [7.3, 43.6]; // at sea, 10 km off Monaco
    for (const body of [
      { coordinates: [points[0], far], geometry: false, radius: 50 },
      { coordinates: [far, points[0]], geometry: false, radius: 1 },
    ]) {
      const a = await raw(inline.base, '/route', body);
      assert.equal(a.status, 400);
      assert.equal(JSON.parse(a.text).code, 'NoSegment');
      assert.deepEqual(a, await raw(pooled.base, '/route', body));
    }
    const path = `/route/v1/car/${points[0].join(',')};${far.join(',')}?overview=false&radiuses=unlimited;20`;
    const a = await raw(inline.base, path);
    assert.equal(a.status, 400);
    assert.deepEqual(a, await raw(pooled.base, path));
  });

  it('decides by the request shape and the map size', async () => {
    const { map } = await monacoMap();
    const segments = native.mapHeader(map.handle).counts.segments;
    const info = inline.server.ctx.maps.get('car')!;
    assert.equal(info.header.counts.segments, segments);
    assert.equal(inlineAllowed(inline.server.ctx, info), true);
    assert.equal(inlineAllowed({ ...inline.server.ctx, config: { ...inline.server.ctx.config, inlineMaxSegments: segments - 1 } }, info), false);
    assert.equal(inlineAllowed({ ...inline.server.ctx, config: { ...inline.server.ctx.config, inlineMaxSegments: segments } }, info), true);
    assert.equal(inlineAllowed({ ...inline.server.ctx, config: { ...inline.server.ctx.config, tracing: true } }, info), false, 'traced queries get their spans from a worker');
    const [a, b] = points;
    assert.equal(tinyRoute({ coordinates: [a, b], geometry: false }), true);
    assert.equal(tinyRoute({ coordinates: [a, b], geometry: false, alternatives: 0, annotations: [] }), true);
    assert.equal(tinyRoute({ coordinates: [a, b] }), false, 'geometry defaults to geojson');
    const osrm: OsrmRouteOptions = { overview: 'false', geometries: 'polyline', steps: false, annotations: [], alternatives: 0, generateHints: true, skipWaypoints: false };
    assert.equal(tinyOsrmRoute({ coordinates: [a, b] }, osrm), true);
    assert.equal(tinyOsrmRoute({ coordinates: [a, b] }, { ...osrm, overview: 'full' }), false);
    assert.equal(tinyOsrmRoute({ coordinates: [a, b] }, { ...osrm, waypoints: [0, 1] }), true);
  });

  it('a map swap reaches inline queries: new version, same answers, the old map released', async () => {
    const { path } = await monacoMap();
    const dir = tempDir('waymark-inline-');
    const copy = join(dir, 'monaco.wmap');
    copyFileSync(path, copy);
    const s = await startServer({ maps: { car: copy } });
    try {
      const body = { coordinates: [points[0], points[1]], geometry: false };
      const first = await raw(s.base, '/route', body);
      const old = s.server.ctx.maps.get('car')!;
      await s.server.loadMap('car', copy);
      const now = s.server.ctx.maps.get('car')!;
      assert.notEqual(now, old);
      assert.equal(old.retired, true);
      const second = await raw(s.base, '/route', body);
      assert.equal(second.status, 200);
      assert.equal(second.text, first.text);
      assert.equal(second.version, now.version);
      assert.equal((await inlineCount(s.base)).route, 2);
    } finally {
      await s.server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
