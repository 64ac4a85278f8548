import assert from 'node:assert/strict';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildMapFromPbf } from '../src/build/build-map.js';
import { native } from '../src/native/index.js';
import { getProfile } from '../src/profiles/index.js';
import { dataPbf, monacoMap, tempDir } from './helpers.js';
import { startChildServer, stopChild } from './server-helpers.js';

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

function startChild(mapPath: string, token: string) {
  return startChildServer([mapPath, '--port', '0', '--workers', '2', '--watch', '--data-dir', tempDir('waymark-data-')], { WAYMARK_ADMIN_TOKEN: token });
}

async function info(base: string) {
  return (await (await fetch(`${base}/info`)).json()) as { maps: { car: { version: string; lastReload: { ok: boolean; code?: string } } } };
}

async function waitForVersion(base: string, predicate: (v: string, ok: boolean) => boolean, what: string) {
  const started = Date.now();
  for (;;) {
    const i = await info(base);
    if (predicate(i.maps.car.version, i.maps.car.lastReload.ok)) return i.maps.car;
    if (Date.now() - started > 20_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('zero-downtime map updates', () => {
  it('swaps maps three times under load (one corrupt): no failed request, every answer versioned, memory back', async () => {
    const { map } = await monacoMap();
    const dir = tempDir();
    const live = join(dir, 'monaco.car.wmap');
    await buildMapFromPbf({ input: dataPbf, output: live, profile: getProfile('car') });
    const token = 'test-token-123';
    const { child, base, log } = await startChild(live, token);
    try {
      const v1 = (await info(base)).maps.car.version;
      const pts = native.randomRoadPoints(map.handle, 400, 99);
      const statuses = new Map<number, number>();
      const versions = new Set<string>();
      let stop = false;
      let sent = 0;
      const loop = async (offset: number) => {
        for (let i = offset; !stop; i += 4) {
          const k = (i % 200) * 4;
          const res = await fetch(`${base}/route/v1/car/${pts[k]},${pts[k + 1]};${pts[k + 2]},${pts[k + 3]}?overview=false`);
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          versions.add(res.headers.get('x-map-version') ?? 'missing');
          sent++;
        }
      };
      const loops = [0, 1, 2, 3].map(loop);
      await new Promise((r) => setTimeout(r, 500));
      const rssBefore = rssMb(child.pid!);

      // 1. A new build replaces the file (temp name + rename): --watch picks it up.
      await buildMapFromPbf({ input: dataPbf, output: live, profile: getProfile('car') });
      const v2 = (await waitForVersion(base, (v) => v !== v1, 'the first swap')).version;

      // 2. A corrupt file: refused, the previous map keeps answering, the failure is visible.
      const corrupt = Buffer.from(readFileSync(live));
      corrupt[corrupt.length - 100] ^= 0xff;
      writeFileSync(join(dir, 'corrupt.tmp'), corrupt);
      renameSync(join(dir, 'corrupt.tmp'), live);
      const refused = await waitForVersion(base, (_v, ok) => !ok, 'the corrupt map to be refused');
      assert.equal(refused.version, v2);
      assert.equal(refused.lastReload.code, 'MapCorrupt');
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /waymark_map_loads_total\{profile="car",result="failed"\} [1-9]/);

      // 3. A good map again, swapped in through the admin endpoint (token required).
      await buildMapFromPbf({ input: dataPbf, output: join(dir, 'next.wmap'), profile: getProfile('car') });
      renameSync(join(dir, 'next.wmap'), live);
      const unauthorized = await fetch(`${base}/admin/reload`, { method: 'POST' });
      assert.equal(unauthorized.status, 401);
      const reload = await fetch(`${base}/admin/reload`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      assert.equal(reload.status, 200);
      const v3 = (await waitForVersion(base, (v, ok) => ok && v !== v2 && v !== v1, 'the third swap')).version;

      await new Promise((r) => setTimeout(r, 500));
      stop = true;
      await Promise.all(loops);
      assert.ok(sent > 100, `load was sent (${sent} requests)`);
      assert.deepEqual([...statuses.keys()], [200], `every request succeeded: ${JSON.stringify([...statuses])}`);
      assert.deepEqual([...versions].filter((v) => ![v1, v2, v3].includes(v)), [], 'every answer names a valid map version');
      assert.ok(versions.has(v2) && versions.has(v3), 'answers came from the swapped-in maps');
      const rssAfter = rssMb(child.pid!);
      assert.ok(rssAfter < rssBefore + 40, `RSS ${rssBefore.toFixed(0)} MB before, ${rssAfter.toFixed(0)} MB after the swaps`);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- server log (tail) ---\n${log().split('\n').slice(-15).join('\n')}`);
    } finally {
      await stopChild(child);
    }
  });
});
