/**
 * Sustained live traffic under load (the traffic part of `waymark bench cch`): starts `waymark serve`
 * on 127.0.0.1 as a child, keeps a few clients sending POST /route, and every `intervalS` seconds
 * posts a traffic file covering every drivable OSM segment of the map (random speeds, two files
 * alternating) to POST /admin/traffic, `updates` times. Prints failed requests (any answer but 200,
 * or no answer), request p50/p99 while an update runs vs between updates, each update's read /
 * customize / self-test / total ms as the server reports them, and the server's peak RSS.
 */
import { spawn } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { openMapFile } from '../src/maps/open.js';
import { native, type MapHandle } from '../src/native/index.js';
import { drivableOsmSegments } from '../src/routing/traffic.js';
import { fmt, percentile, sortedCopy } from './stats.js';
import { serverReady } from './server-ready.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Writes a speeds file (OSRM's `from,to,speed_kmh`) with a random speed for every drivable directed
 * OSM segment of the map, streamed to disk in chunks (region64: tens of millions of lines); returns
 * the line count.
 */
export function writeSpeedsFile(map: MapHandle, path: string, seed: number): number {
  let s = seed >>> 0;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const fd = openSync(path, 'w');
  let lines = 0;
  let chunk: string[] = [];
  const flush = () => {
    if (chunk.length > 0) writeSync(fd, chunk.join('\n') + '\n');
    chunk = [];
  };
  try {
    for (const seg of drivableOsmSegments(map)) {
      chunk.push(`${seg.from},${seg.to},${Math.round(5 + 95 * rand())}`);
      if (chunk.length >= 100_000) {
        lines += chunk.length;
        flush();
      }
    }
    lines += chunk.length;
    flush();
  } finally {
    closeSync(fd);
  }
  return lines;
}

/** User + system CPU of a process so far, ms (/proc/<pid>/stat, clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export interface TrafficLoadOptions {
  updates: number;
  intervalS: number;
  clients: number;
  workers: number;
}

interface UpdateFigures {
  ok: boolean;
  status: number;
  readMs?: number;
  customizeMs?: number;
  selfTestMs?: number;
  totalMs?: number;
  wallMs: number;
  /** The server process's CPU (all threads, /route workers included) while the update ran. */
  serverCpuMs: number;
  coverage?: number;
  version?: number;
  error?: string;
}

export interface TrafficLoadResult {
  speedsFile: { lines: number; bytes: number; writeMs: number };
  serverStartMs: number;
  seconds: number;
  requests: number;
  failed: number;
  failures: string[];
  duringUpdate: { requests: number; p50Ms: number; p99Ms: number };
  betweenUpdates: { requests: number; p50Ms: number; p99Ms: number };
  updates: UpdateFigures[];
  /** Map versions the clients saw (X-Map-Version), in order of first appearance. */
  versionsSeen: string[];
  rssIdleMb: number;
  rssPeakMb: number;
}

export async function benchTrafficLoad(mapPath: string, options: TrafficLoadOptions): Promise<TrafficLoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-bench-traffic-'));
  const token = 'bench-traffic-token';
  const files = [join(dir, 'speeds-1.csv'), join(dir, 'speeds-2.csv')];
  let child: ReturnType<typeof spawn> | undefined;
  try {
    const map = openMapFile(mapPath);
    const tw = performance.now();
    let lines = 0;
    for (const [i, f] of files.entries()) lines = writeSpeedsFile(map.handle, f, i + 1);
    const writeMs = (performance.now() - tw) / files.length;
    const pts = native.randomRoadPoints(map.handle, 2000, 7);
    native.releaseMap(map.handle);
    const point = (i: number): [number, number] => [pts[2 * (i % 1000)], pts[2 * (i % 1000) + 1]];

    const t0 = performance.now();
    child = spawn(process.execPath, [join(repo, 'bin', 'waymark.js'), 'serve', mapPath, '--port', '0', '--workers', String(options.workers), '--data-dir', join(dir, 'data')], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, WAYMARK_LOG_LEVEL: 'info', WAYMARK_ADMIN_TOKEN: token },
    });
    const server = child;
    const base = await serverReady(server, 300_000);
    const serverStartMs = performance.now() - t0;
    const rssIdleMb = rssMb(server.pid!);
    let rssPeakMb = rssIdleMb;
    const sampler = setInterval(() => {
      rssPeakMb = Math.max(rssPeakMb, rssMb(server.pid!));
    }, 200);

    const requests: { start: number; end: number; ok: boolean }[] = [];
    const failures: string[] = [];
    const versionsSeen: string[] = [];
    const windows: { start: number; end: number }[] = [];
    let stop = false;
    const client = async (c: number) => {
      for (let i = c; !stop; i += options.clients) {
        const start = performance.now();
        let ok = false;
        try {
          const res = await fetch(`${base}/route`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ coordinates: [point(i), point(i * 7 + 3)] }),
          });
          const text = await res.text();
          ok = res.status === 200;
          if (!ok && failures.length < 10) failures.push(`${res.status} ${text.slice(0, 200)}`);
          const v = res.headers.get('x-map-version');
          if (v && !versionsSeen.includes(v)) versionsSeen.push(v);
        } catch (err) {
          if (failures.length < 10) failures.push(String(err));
        }
        requests.push({ start, end: performance.now(), ok });
      }
    };
    const started = performance.now();
    const clients = Array.from({ length: options.clients }, (_, c) => client(c));
    const updates: UpdateFigures[] = [];
    // A few seconds of load before the first update, so "between" has samples of its own.
    await new Promise((r) => setTimeout(r, Math.min(5000, options.intervalS * 1000)));
    for (let u = 0; u < options.updates; u++) {
      const due = performance.now() + options.intervalS * 1000;
      const start = performance.now();
      const cpu0 = cpuMsOf(server.pid!);
      let figures: UpdateFigures;
      try {
        const body = Readable.toWeb(createReadStream(files[u % 2], { highWaterMark: 1 << 20 })) as ReadableStream<Uint8Array>;
        const res = await fetch(`${base}/admin/traffic`, {
          method: 'POST',
          headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
          body,
          duplex: 'half',
        } as RequestInit);
        const j = (await res.json()) as Record<string, unknown>;
        figures = res.status === 200
          ? { ok: true, status: 200, wallMs: performance.now() - start, serverCpuMs: cpuMsOf(server.pid!) - cpu0, readMs: j.readMs as number, customizeMs: j.customizeMs as number, selfTestMs: j.selfTestMs as number, totalMs: j.totalMs as number, coverage: j.coverage as number, version: j.version as number }
          : { ok: false, status: res.status, wallMs: performance.now() - start, serverCpuMs: cpuMsOf(server.pid!) - cpu0, error: `${j.code}: ${j.message}` };
      } catch (err) {
        figures = { ok: false, status: 0, wallMs: performance.now() - start, serverCpuMs: cpuMsOf(server.pid!) - cpu0, error: String(err) };
      }
      windows.push({ start, end: performance.now() });
      updates.push(figures);
      const wait = u + 1 < options.updates ? due - performance.now() : Math.min(5000, options.intervalS * 1000);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    stop = true;
    await Promise.all(clients);
    clearInterval(sampler);
    const seconds = (performance.now() - started) / 1000;
    const overlaps = (r: { start: number; end: number }) => windows.some((w) => r.start < w.end && r.end > w.start);
    const during = sortedCopy(requests.filter((r) => r.ok && overlaps(r)).map((r) => r.end - r.start));
    const between = sortedCopy(requests.filter((r) => r.ok && !overlaps(r)).map((r) => r.end - r.start));
    const stats = (xs: Float64Array) => ({ requests: xs.length, p50Ms: xs.length ? percentile(xs, 50) : NaN, p99Ms: xs.length ? percentile(xs, 99) : NaN });
    return {
      speedsFile: { lines, bytes: statSync(files[0]).size, writeMs },
      serverStartMs,
      seconds,
      requests: requests.length,
      failed: requests.filter((r) => !r.ok).length,
      failures,
      duringUpdate: stats(during),
      betweenUpdates: stats(between),
      updates,
      versionsSeen,
      rssIdleMb,
      rssPeakMb,
    };
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printTrafficLoad(name: string, r: TrafficLoadResult, options: TrafficLoadOptions): void {
  console.log(
    `  sustained traffic (${name}): ${options.updates} updates every ${options.intervalS} s, ${options.clients} clients POST /route over HTTP, server on 127.0.0.1 with ${options.workers} workers (ready after ${fmt(r.serverStartMs / 1000, 1)} s)`,
  );
  console.log(`    speeds file: ${r.speedsFile.lines} lines, ${fmt(r.speedsFile.bytes / 1e6, 1)} MB (written in ${fmt(r.speedsFile.writeMs / 1000, 1)} s)`);
  for (const [i, u] of r.updates.entries())
    console.log(
      u.ok
        ? `    update ${i + 1}: read ${fmt(u.readMs!)} ms, customize ${fmt(u.customizeMs!)} ms, self-test ${fmt(u.selfTestMs!)} ms, total ${fmt(u.totalMs!)} ms (HTTP ${fmt(u.wallMs)} ms; server CPU meanwhile ${fmt(u.serverCpuMs, 0)} ms), coverage ${fmt(100 * u.coverage!)} %`
        : `    update ${i + 1}: FAILED ${u.status} ${u.error}`,
    );
  console.log(`    requests: ${r.requests} in ${fmt(r.seconds, 0)} s, failed ${r.failed}${r.failures.length ? ` (${r.failures.slice(0, 3).join(' | ')})` : ''}`);
  console.log(
    `    /route latency during updates: p50 ${fmt(r.duringUpdate.p50Ms, 1)} ms, p99 ${fmt(r.duringUpdate.p99Ms, 1)} ms (${r.duringUpdate.requests}); between: p50 ${fmt(r.betweenUpdates.p50Ms, 1)} ms, p99 ${fmt(r.betweenUpdates.p99Ms, 1)} ms (${r.betweenUpdates.requests})`,
  );
  console.log(`    map versions seen: ${r.versionsSeen.length} (${r.versionsSeen.slice(-2).join(', ')}); server RSS idle ${fmt(r.rssIdleMb, 0)} MB, peak ${fmt(r.rssPeakMb, 0)} MB`);
}
