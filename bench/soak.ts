/**
 * `waymark bench soak <map> [--duration 180] [--clients 4] [--json]`: a bounded soak on loopback.
 * Starts `waymark serve` as a child and drives mixed load (POST /route, GET /table/v1 30 x 30,
 * POST /matrix 200 x 200, POST /vrp with matrices) from a few clients; every 30 s the map is swapped
 * (POST /admin/reload), and at random moments a worker is killed: a 7000 x 7000 matrix runs past
 * the 10 s per-request limit, the pool terminates the worker running it and starts another, and
 * that request must be answered 504 with a code. RSS is sampled every second; prints the RSS slope after warm-up (MB per
 * minute, least squares over the last 80 % of samples) and the count of unexpected errors.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openMapFile } from '../src/maps/open.js';
import { native } from '../src/native/index.js';
import { serverReady } from './server-ready.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface SoakResult {
  seconds: number;
  requests: number;
  byKind: Record<string, number>;
  unexpectedErrors: number;
  errorSamples: string[];
  reloads: number;
  reloadFailures: number;
  workersKilled: number;
  killedAnsweredWithCode: number;
  rssStartMb: number;
  rssPeakMb: number;
  rssEndMb: number;
  rssSlopeMbPerMin: number;
  /** The slope of each 15 s window's lowest RSS: the resident floor, without the killed requests' transient peaks. */
  rssFloorSlopeMbPerMin: number;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function slopePerMinute(samples: { t: number; rss: number }[]): number {
  const n = samples.length;
  if (n < 2) return 0;
  const mt = samples.reduce((a, s) => a + s.t, 0) / n;
  const mr = samples.reduce((a, s) => a + s.rss, 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.t - mt) * (s.rss - mr);
    den += (s.t - mt) ** 2;
  }
  return den > 0 ? (num / den) * 60 : 0;
}

export async function benchSoak(mapPath: string, options: { duration: number; clients: number; json: boolean }): Promise<SoakResult> {
  const token = 'soak-token';
  const dataDir = mkdtempSync(join(tmpdir(), 'waymark-soak-data-'));
  // A 10 s per-request limit (queueing included, so ordinary requests stay well inside it on a
  // loaded machine); the worker-killing requests below take far longer than that.
  const child = spawn(process.execPath, [join(repo, 'bin', 'waymark.js'), 'serve', mapPath, '--port', '0', '--workers', '2', '--timeout', '10000', '--max-matrix-cells', '100000000', '--max-answer-bytes', String(2 ** 30), '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, WAYMARK_LOG_LEVEL: 'info', WAYMARK_ADMIN_TOKEN: token },
  });
  try {
    const base = await serverReady(child, 60_000);

    const map = openMapFile(mapPath);
    const pts = native.randomRoadPoints(map.handle, 400, 21);
    const point = (i: number): [number, number] => [pts[2 * (i % 400)], pts[2 * (i % 400) + 1]];
    native.releaseMap(map.handle);
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

    const result: SoakResult = {
      seconds: options.duration, requests: 0, byKind: {}, unexpectedErrors: 0, errorSamples: [], reloads: 0, reloadFailures: 0,
      workersKilled: 0, killedAnsweredWithCode: 0, rssStartMb: rssMb(child.pid!), rssPeakMb: 0, rssEndMb: 0, rssSlopeMbPerMin: 0, rssFloorSlopeMbPerMin: 0,
    };
    const samples: { t: number; rss: number }[] = [];
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    const sampler = setInterval(() => {
      const rss = rssMb(child.pid!);
      samples.push({ t: elapsed(), rss });
      result.rssPeakMb = Math.max(result.rssPeakMb, rss);
    }, 1000);

    let seq = 0;
    const one = async (): Promise<void> => {
      const i = seq++;
      const kind = ['route', 'table', 'matrix', 'vrp'][i % 4];
      let res: Response;
      if (kind === 'route') res = await post('/route', { coordinates: [point(i), point(i * 7 + 3)], geometry: 'polyline' });
      else if (kind === 'table') res = await fetch(`${base}/table/v1/car/${Array.from({ length: 30 }, (_, k) => point(i + k).join(',')).join(';')}`);
      else if (kind === 'matrix') res = await post('/matrix', { sources: Array.from({ length: 200 }, (_, k) => point(i + k)), annotations: ['duration'] });
      else {
        const n = 12;
        const d = Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => Math.abs(a - b) * 60 + ((a * 7 + b * 3 + i) % 11)));
        res = await post('/vrp', { vehicles: [{ id: 1, start_index: 0, end_index: 0, capacity: [6] }, { id: 2, start_index: 0, capacity: [6] }], jobs: Array.from({ length: n - 1 }, (_, k) => ({ id: k + 1, location_index: k + 1, delivery: [1] })), matrices: { car: { durations: d } }, options: { time_limit: 0.2 } });
      }
      const text = await res.text();
      result.requests++;
      result.byKind[kind] = (result.byKind[kind] ?? 0) + 1;
      if (res.status !== 200) {
        result.unexpectedErrors++;
        if (result.errorSamples.length < 5) result.errorSamples.push(`${kind} ${res.status} ${text.slice(0, 200)}`);
      }
    };
    const clients = Array.from({ length: options.clients }, async () => {
      while (elapsed() < options.duration) await one().catch((err) => {
        result.unexpectedErrors++;
        if (result.errorSamples.length < 5) result.errorSamples.push(String(err));
      });
    });
    // Map swaps every 30 s.
    const swaps = (async () => {
      for (let next = 30; next < options.duration; next += 30) {
        await new Promise((r) => setTimeout(r, Math.max(0, (next - elapsed()) * 1000)));
        const r = await post('/admin/reload', {}, { authorization: `Bearer ${token}` });
        result.reloads++;
        if (r.status !== 200) result.reloadFailures++;
        await r.text();
      }
    })();
    // Workers killed at random moments (about twice a minute): a 7000 x 7000 matrix outlives the 10 s limit.
    const kills = (async () => {
      let rand = 12345;
      while (elapsed() < options.duration - 10) {
        rand = (rand * 1103515245 + 12345) % 2 ** 31;
        await new Promise((r) => setTimeout(r, 10_000 + (rand % 40_000)));
        if (elapsed() >= options.duration - 10) break;
        const res = await post('/matrix', { sources: Array.from({ length: 7000 }, (_, k) => point(k * 13 + 1)), annotations: ['duration'] });
        const body = (await res.json()) as { code?: string };
        result.workersKilled++;
        if (res.status === 504 && body.code === 'Timeout') result.killedAnsweredWithCode++;
      }
    })();
    await Promise.all([...clients, swaps, kills]);
    clearInterval(sampler);
    result.rssEndMb = rssMb(child.pid!);
    const settled = samples.slice(Math.floor(samples.length * 0.2));
    result.rssSlopeMbPerMin = slopePerMinute(settled);
    const floors: { t: number; rss: number }[] = [];
    for (let k = 0; k < settled.length; k += 15) {
      const window = settled.slice(k, k + 15);
      const low = window.reduce((a, b) => (b.rss < a.rss ? b : a));
      floors.push(low);
    }
    result.rssFloorSlopeMbPerMin = slopePerMinute(floors);
    result.seconds = elapsed();
    if (options.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else {
      const f = (x: number) => x.toFixed(1);
      process.stdout.write(
        `soak ${f(result.seconds)} s, ${options.clients} clients: ${result.requests} requests (${Object.entries(result.byKind).map(([k, v]) => `${k} ${v}`).join(', ')})\n` +
          `unexpected errors ${result.unexpectedErrors}${result.errorSamples.length ? ` (${result.errorSamples.join(' | ')})` : ''}\n` +
          `map swaps ${result.reloads} (failed ${result.reloadFailures}); workers killed ${result.workersKilled}, answered 504 Timeout ${result.killedAnsweredWithCode}\n` +
          `RSS start ${f(result.rssStartMb)} MB, peak ${f(result.rssPeakMb)} MB, end ${f(result.rssEndMb)} MB, slope after warm-up ${result.rssSlopeMbPerMin.toFixed(2)} MB/min (every sample), ${result.rssFloorSlopeMbPerMin.toFixed(2)} MB/min (15 s floors)\n`,
      );
    }
    return result;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
