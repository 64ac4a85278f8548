/**
 * Profiling on demand: the admin CPU and heap profile endpoints on a real `waymark serve` child
 * process under load, and their absence without an admin token.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { CpuProfile } from '../src/telemetry/profiling.js';
import { monacoMap, tempDir } from './helpers.js';
import { startChildServer, startServer, stopChild } from './server-helpers.js';

const TOKEN = 'profile-test-token';
const tablePath = '/table/v1/car/' + ['7.4197,43.7314', '7.4265,43.739', '7.4163,43.7334', '7.423,43.736', '7.43,43.742', '7.418,43.732'].join(';');

function assertValidCpuProfile(p: CpuProfile, what: string) {
  assert.ok(Array.isArray(p.nodes) && p.nodes.length > 0, `${what}: nodes`);
  assert.ok(p.endTime > p.startTime, `${what}: a time span`);
  assert.ok(Array.isArray(p.samples) && p.samples.length > 0, `${what}: samples`);
  assert.equal(p.samples.length, p.timeDeltas?.length, `${what}: one time delta per sample`);
}

/** Waymark's own JS functions (compiled to dist/src) that appear in a profile. */
function waymarkFunctions(p: CpuProfile): string[] {
  return [...new Set(p.nodes.filter((n) => /\/dist\/src\//.test(n.callFrame.url) && n.callFrame.functionName).map((n) => n.callFrame.functionName))];
}

describe('profiling endpoints', () => {
  let server: Awaited<ReturnType<typeof startChildServer>>;
  let dataDir: string;
  before(async () => {
    const { path } = await monacoMap();
    dataDir = tempDir('waymark-profile-data-');
    server = await startChildServer([path, '--port', '0', '--workers', '2', '--data-dir', dataDir], { WAYMARK_ADMIN_TOKEN: TOKEN });
  });
  after(async () => {
    await stopChild(server.child);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (path: string, token = TOKEN) => fetch(server.base + path, { method: 'POST', headers: { authorization: `Bearer ${token}` } });

  /** Keeps the server busy with /table requests until stopped. */
  function load(): () => Promise<number> {
    let running = true;
    let count = 0;
    const loops = Array.from({ length: 4 }, async () => {
      while (running) {
        const r = await fetch(server.base + tablePath);
        await r.arrayBuffer();
        if (r.status === 200) count++;
        // Leave the workers idle moments: a worker whose queue never empties may not get to the
        // profile request on its event loop before the profile ends (seen on a loaded CI machine).
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
    });
    return async () => {
      running = false;
      await Promise.all(loops);
      return count;
    };
  }

  it('POST /admin/profile/cpu?worker=all profiles the main thread and every worker, naming Waymark functions; a second profile meanwhile is 409', async () => {
    const stop = load();
    const pending = post('/admin/profile/cpu?seconds=2&worker=all');
    await new Promise((r) => setTimeout(r, 300));
    const second = await post('/admin/profile/cpu?seconds=1');
    assert.equal(second.status, 409);
    assert.equal(((await second.json()) as { code: string }).code, 'ProfileInProgress');
    const res = await pending;
    const served = await stop();
    assert.ok(served > 0);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="waymark-threads-.*\.json"/);
    const body = (await res.json()) as { main: CpuProfile; workers: { threadId: number; profile: CpuProfile }[]; missing: number[] };
    assertValidCpuProfile(body.main, 'main thread');
    assert.ok(body.workers.length >= 2, `both query workers answered (${body.workers.length}, missing ${body.missing})`);
    for (const w of body.workers) {
      assert.ok(w.threadId > 0);
      assertValidCpuProfile(w.profile, `worker ${w.threadId}`);
    }
    const inWorkers = new Set(body.workers.flatMap((w) => waymarkFunctions(w.profile)));
    for (const name of ['handle', 'matrixJsonOnMap']) assert.ok(inWorkers.has(name), `worker profiles name ${name} (${[...inWorkers].join(', ')})`);
    assert.ok(waymarkFunctions(body.main).length > 0, 'the main thread profile names Waymark functions');
  });

  it('POST /admin/profile/cpu answers a .cpuprofile of the main thread; bad input is 400, a wrong token 401', async () => {
    const res = await post('/admin/profile/cpu?seconds=1');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-disposition') ?? '', /\.cpuprofile"/);
    assertValidCpuProfile((await res.json()) as CpuProfile, 'main thread');
    for (const q of ['seconds=61', 'seconds=0', 'seconds=abc', 'worker=some', 'seconds=1&frequency=5']) {
      const bad = await post(`/admin/profile/cpu?${q}`);
      assert.equal(bad.status, 400, q);
      assert.equal(((await bad.json()) as { code: string }).code, 'InvalidValue', q);
    }
    const wrong = await post('/admin/profile/cpu?seconds=1', 'nope');
    assert.equal(wrong.status, 401);
  });

  it('POST /admin/profile/heap answers a heap snapshot, or a sampling heap profile with ?seconds', async () => {
    const sampled = await post('/admin/profile/heap?seconds=1');
    assert.equal(sampled.status, 200);
    assert.match(sampled.headers.get('content-disposition') ?? '', /\.heapprofile"/);
    const profile = (await sampled.json()) as { head: { callFrame: { functionName: string }; children: unknown[] }; samples: unknown[] };
    assert.ok(profile.head && Array.isArray(profile.head.children));
    const snap = await post('/admin/profile/heap');
    assert.equal(snap.status, 200);
    assert.match(snap.headers.get('content-disposition') ?? '', /\.heapsnapshot"/);
    const snapshot = (await snap.json()) as { snapshot: { meta: { node_fields: string[] }; node_count: number }; nodes: number[]; strings: string[] };
    assert.ok(snapshot.snapshot.node_count > 1000);
    assert.equal(snapshot.nodes.length, snapshot.snapshot.node_count * snapshot.snapshot.meta.node_fields.length);
    assert.ok(snapshot.strings.includes('WaymarkServer'), 'the snapshot holds the server object');
    // The lock is released once the snapshot has been sent.
    const again = await post('/admin/profile/cpu?seconds=1');
    assert.equal(again.status, 200);
    await again.arrayBuffer();
  });
});

describe('profiling endpoints without an admin token', () => {
  it('do not exist', async () => {
    const { server, base } = await startServer({ adminToken: undefined });
    try {
      for (const path of ['/admin/profile/cpu?seconds=1', '/admin/profile/heap']) {
        const res = await fetch(base + path, { method: 'POST', headers: { authorization: 'Bearer anything' } });
        assert.equal(res.status, 404, path);
        assert.equal(((await res.json()) as { code: string }).code, 'NotFound');
      }
      const spec = (await (await fetch(base + '/openapi.json')).json()) as { paths: Record<string, unknown> };
      assert.ok(!Object.keys(spec.paths).some((p) => p.startsWith('/admin/profile')));
    } finally {
      await server.close();
    }
  });
});
