/**
 * `waymark bench http <map> [--duration 10] [--connections 8] [--json]`: starts `waymark serve` on
 * 127.0.0.1 as a child process and drives it with autocannon (loopback only, bounded in time):
 * POST /route on random pairs without geometry, GET /route/v1 plain, with steps=true and with
 * alternatives=3 on the same pairs, GET /table/v1 with 100 x 100, POST /matrix with
 * 1000 x 1000. Prints requests/s, p50/p99 latency, errors, and the server's RSS, once with one
 * worker and once with every core's worth of workers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { openMapFile } from '../src/maps/open.js';
import { native } from '../src/native/index.js';
import { serverReady } from './server-ready.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function rssMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

/**
 * Starts `waymark serve` as a child process. `checkout` runs another built checkout's server (a
 * baseline measured in the same run); `nodeArgs` go to node before the script (--cpu-prof ...).
 */
export async function startServer(
  map: string,
  workers: number,
  env: Record<string, string> = {},
  options: { checkout?: string; nodeArgs?: string[] } = {},
): Promise<{ child: ChildProcess; base: string; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'waymark-bench-data-'));
  const script = join(options.checkout ?? repo, 'bin', 'waymark.js');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, 'serve', map, '--port', '0', '--workers', String(workers), '--max-queue', '100000', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, WAYMARK_LOG_LEVEL: 'info', ...env },
  });
  try {
    return { child, base: await serverReady(child, 180_000), dataDir };
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

export interface Load {
  name: string;
  requests: autocannon.Request[];
}

/** POST /route on 1000 random pairs (no geometry), round robin. */
export function routeLoad(mapPath: string): Load {
  const map = openMapFile(mapPath);
  const pairs = native.randomRoadPoints(map.handle, 2000, 5);
  const routeBodies = Array.from({ length: 1000 }, (_, i) =>
    JSON.stringify({ coordinates: [[pairs[4 * i], pairs[4 * i + 1]], [pairs[4 * i + 2], pairs[4 * i + 3]]], geometry: false }),
  );
  let next = 0;
  return {
    name: 'POST /route (random pairs, no geometry)',
    requests: [
      {
        method: 'POST',
        path: '/route',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: routeBodies[next++ % routeBodies.length] }),
      },
    ],
  };
}

function loads(mapPath: string): Load[] {
  const map = openMapFile(mapPath);
  const table = native.randomRoadPoints(map.handle, 100, 6);
  const tablePath = '/table/v1/car/' + Array.from({ length: 100 }, (_, i) => `${table[2 * i]},${table[2 * i + 1]}`).join(';');
  const big = native.randomRoadPoints(map.handle, 1000, 7);
  const matrixBody = JSON.stringify({ sources: Array.from({ length: 1000 }, (_, i) => [big[2 * i], big[2 * i + 1]]), annotations: ['duration'] });
  const pairs = native.randomRoadPoints(map.handle, 2000, 5);
  const osrmPaths = Array.from({ length: 1000 }, (_, i) => `/route/v1/car/${pairs[4 * i]},${pairs[4 * i + 1]};${pairs[4 * i + 2]},${pairs[4 * i + 3]}?overview=false`);
  let nextOsrm = 0;
  const osrm = (name: string, extra: string): Load => ({
    name,
    requests: [{ method: 'GET', path: osrmPaths[0], setupRequest: (req) => ({ ...req, path: osrmPaths[nextOsrm++ % osrmPaths.length] + extra }) }],
  });
  return [
    routeLoad(mapPath),
    osrm('GET /route/v1 plain', ''),
    osrm('GET /route/v1 steps=true', '&steps=true'),
    osrm('GET /route/v1 alternatives=3', '&alternatives=3'),
    { name: 'GET /table/v1 100 x 100', requests: [{ method: 'GET', path: tablePath }] },
    { name: 'POST /matrix 1000 x 1000', requests: [{ method: 'POST', path: '/matrix', headers: { 'content-type': 'application/json' }, body: matrixBody }] },
  ];
}

export async function benchHttp(mapPath: string, options: { duration: number; connections: number; json: boolean; workers?: number[] }): Promise<unknown> {
  const workerCounts = options.workers ?? [1, availableParallelism()];
  const results: Record<string, unknown>[] = [];
  for (const workers of workerCounts) {
    const { child, base, dataDir } = await startServer(mapPath, workers);
    const rssIdle = rssMb(child.pid!, 'VmRSS');
    try {
      for (const load of loads(mapPath)) {
        const r = await autocannon({ url: base, connections: options.connections, duration: options.duration, requests: load.requests });
        const row = {
          workers,
          endpoint: load.name,
          requests_per_s: r.requests.average,
          latency_p50_ms: r.latency.p50,
          latency_p99_ms: r.latency.p99,
          errors: r.errors + r.timeouts + r.non2xx,
          rss_idle_mb: rssIdle,
          rss_peak_mb: rssMb(child.pid!, 'VmHWM'),
        };
        results.push(row);
        if (!options.json) {
          process.stdout.write(
            `workers=${workers} ${load.name.padEnd(40)} ${row.requests_per_s.toFixed(1).padStart(9)} req/s  p50 ${String(row.latency_p50_ms).padStart(6)} ms  p99 ${String(row.latency_p99_ms).padStart(6)} ms  errors ${row.errors}  RSS idle ${row.rss_idle_mb.toFixed(0)} MB, peak ${row.rss_peak_mb.toFixed(0)} MB\n`,
          );
        }
      }
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  if (options.json) process.stdout.write(JSON.stringify({ map: mapPath, duration_s: options.duration, connections: options.connections, results }) + '\n');
  return results;
}
