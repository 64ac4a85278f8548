/**
 * `waymark bench http-breakdown <map> [--duration 5] [--connections 8] [--workers 2] [--rounds 2]
 * [--baseline <checkout>] [--json]`: where a ~25 µs route query becomes a request of several hundred
 * µs. Measured in one run, CPU time per request beside requests/s (CPU time is much less disturbed
 * by other load on a shared machine):
 *
 * 1. in process: the query alone (native.route), and what a worker does for a task (shape + JSON);
 * 2. the thread hand-off: the same tasks through the QueryPool (Piscina), CPU of all threads per
 *    task, minus the in-thread cost;
 * 3. over HTTP with autocannon (POST /route on random pairs without geometry, and GET /route/v1
 *    overview=false): the floors (a bare node:http server and a bare Fastify answering a fixed route),
 *    Waymark, and with --baseline another built checkout's server (the code before a change), servers
 *    alternating within each round; requests/s, p50, server CPU per request (all threads, /proc) and
 *    the load generator's CPU per request (process.cpuUsage), median and minimum over the rounds.
 *    With --rate every measured window offers the same requests/s, so the servers are compared at
 *    equal load (CPU per request falls as the rate rises: more requests per wake-up and system call);
 *    on a machine shared with other jobs the minimum over rounds is the least disturbed figure;
 * 4. a CPU profile (--cpu-prof) of every thread of Waymark's server under POST /route, the samples
 *    of the measured window sorted into layers (HTTP, Fastify, validation, logging, metrics, Piscina,
 *    query, GC), as µs per request.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { mapRef, openMapFile } from '../src/maps/open.js';
import { native } from '../src/native/index.js';
import { osrmRouteOnMap } from '../src/routing/osrm-route.js';
import { routeOnMap, type LonLat } from '../src/routing/route.js';
import { QueryPool } from '../src/server/pool.js';
import { startServer } from './http.js';

const here = dirname(fileURLToPath(import.meta.url));

/** CPU seconds (user + system, all threads) a process has used so far. */
export function cpuSeconds(pid: number): number {
  // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** CPU µs (this process, all threads) per item of fn's work. */
function cpuPer(n: number, fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

interface Pairs {
  coords: LonLat[][];
  bodies: string[];
  paths: string[];
}

function randomPairs(mapPath: string, n: number): Pairs {
  const map = openMapFile(mapPath);
  const p = native.randomRoadPoints(map.handle, 2 * n, 5);
  const coords = Array.from({ length: n }, (_, i) => [
    [p[4 * i], p[4 * i + 1]],
    [p[4 * i + 2], p[4 * i + 3]],
  ] as LonLat[]);
  native.releaseMap(map.handle);
  return {
    coords,
    bodies: coords.map((c) => JSON.stringify({ coordinates: c, geometry: false })),
    paths: coords.map((c) => `/route/v1/car/${c[0][0]},${c[0][1]};${c[1][0]},${c[1][1]}?overview=false`),
  };
}

/** 1 and 2: the query, the worker's task, and the hand-off through the pool, CPU µs each. */
async function inProcess(mapPath: string, pairs: Pairs, workers: number, concurrency: number) {
  const map = openMapFile(mapPath);
  const n = pairs.coords.length;
  const flat = pairs.coords.map((c) => Float64Array.from(c.flat()));
  const requests = pairs.coords.map((c) => ({ coordinates: c, geometry: false as const }));
  const rows: Record<string, number>[] = [];
  for (let round = 0; round < 3; round++) {
    rows.push({
      query: cpuPer(n, () => flat.forEach((f) => native.route(map.handle, f, { radius: Infinity, geometry: false }))),
      task: cpuPer(n, () => requests.forEach((r) => JSON.stringify(routeOnMap(map.handle, r)))),
      osrmTask: cpuPer(n, () =>
        requests.forEach((r) => JSON.stringify(osrmRouteOnMap(map.handle, r, { overview: 'false', geometries: 'polyline', steps: false, annotations: [], generateHints: true, skipWaypoints: false }))),
      ),
    });
  }
  const pool = new QueryPool(workers, 100_000, 60_000);
  const ref = mapRef(mapPath, map.header.checksum);
  await pool.run({ kind: 'selftest', map: ref });
  const pooled: number[] = [];
  for (let round = 0; round < 3; round++) {
    let next = 0;
    const c0 = process.cpuUsage();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) await pool.run({ kind: 'route', map: ref, request: requests[next++] });
      }),
    );
    const c = process.cpuUsage(c0);
    pooled.push((c.user + c.system) / n);
  }
  await pool.destroy();
  native.releaseMap(map.handle);
  const query = median(rows.map((r) => r.query));
  const task = median(rows.map((r) => r.task));
  return { query_cpu_us: query, task_cpu_us: task, osrm_task_cpu_us: median(rows.map((r) => r.osrmTask)), pooled_task_cpu_us: median(pooled), handoff_cpu_us: median(pooled) - task };
}

interface Server {
  name: string;
  start(): Promise<{ child: ChildProcess; base: string; cleanup(): void }>;
}

async function startFloor(mode: 'node' | 'fastify', answer: string): Promise<{ child: ChildProcess; base: string; cleanup(): void }> {
  const child = spawn(process.execPath, [join(here, 'http-floor-server.js'), mode, answer], { stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"address":"([^"]+)"/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', () => reject(new Error(`${mode} floor server exited`)));
  });
  return { child, base, cleanup: () => {} };
}

function waymarkServer(name: string, mapPath: string, workers: number, checkout?: string, nodeArgs?: string[]): Server {
  return {
    name,
    async start() {
      const { child, base, dataDir } = await startServer(mapPath, workers, {}, { ...(checkout ? { checkout } : {}), ...(nodeArgs ? { nodeArgs } : {}) });
      return { child, base, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
    },
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

interface LoadRow {
  requests: number;
  rps: number;
  p50_ms: number;
  errors: number;
  server_cpu_us: number;
  client_cpu_us: number;
  window: [number, number];
}

async function drive(base: string, pid: number, request: autocannon.Request, connections: number, duration: number, rate?: number): Promise<LoadRow> {
  // A short warm-up (JIT, worker start), then the measured window.
  await autocannon({ url: base, connections, duration: 1, requests: [request] });
  const c0 = cpuSeconds(pid);
  const me0 = process.cpuUsage();
  const t0 = Number(process.hrtime.bigint() / 1000n);
  const r = await autocannon({ url: base, connections, duration, requests: [request], ...(rate ? { overallRate: rate } : {}) });
  const t1 = Number(process.hrtime.bigint() / 1000n);
  const me = process.cpuUsage(me0);
  const n = Math.max(1, r.requests.total);
  return {
    requests: r.requests.total,
    rps: r.requests.average,
    p50_ms: r.latency.p50,
    errors: r.errors + r.timeouts + r.non2xx,
    server_cpu_us: ((cpuSeconds(pid) - c0) * 1e6) / n,
    client_cpu_us: (me.user + me.system) / n,
    window: [t0, t1],
  };
}

function loads(pairs: Pairs): { name: string; request: () => autocannon.Request }[] {
  return [
    {
      name: 'POST /route',
      request: () => {
        let next = 0;
        return { method: 'POST', path: '/route', headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: pairs.bodies[next++ % pairs.bodies.length] }) };
      },
    },
    {
      name: 'GET /route/v1',
      request: () => {
        let next = 0;
        return { method: 'GET', path: pairs.paths[0], setupRequest: (req) => ({ ...req, path: pairs.paths[next++ % pairs.paths.length] }) };
      },
    },
  ];
}

/** The layer a profile frame belongs to. */
function layerOf(frame: { functionName: string; url: string }): string {
  const { url, functionName: fn } = frame;
  if (fn === '(idle)' || fn === 'atomicsWaitLoop' || fn === '(program)') return 'idle';
  if (fn === '(garbage collector)') return 'GC';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) {
    if (pkg === 'piscina') return 'Piscina hand-off';
    if (pkg === 'ajv' || pkg === 'ajv-formats' || pkg === 'fast-uri') return 'validation';
    if (pkg === 'pino' || pkg === 'sonic-boom' || pkg === 'thread-stream' || pkg === 'fast-redact' || pkg === 'quick-format-unescaped') return 'logging';
    if (pkg === 'prom-client' || pkg === 'tdigest' || pkg === 'bintrees') return 'metrics';
    if (pkg.startsWith('@opentelemetry')) return 'telemetry';
    if (pkg === 'fastify' || pkg.startsWith('@fastify') || pkg === 'find-my-way' || pkg === 'avvio' || pkg === 'secure-json-parse' || pkg === 'fast-json-stringify' || pkg === 'fast-querystring' || pkg === 'toad-cache' || pkg === 'process-warning' || pkg === 'abstract-logging') return 'Fastify';
    return `npm ${pkg}`;
  }
  if (url === '' && fn.startsWith('validate')) return 'validation';
  if (url.includes('/src/server/') || url.includes('/src/errors')) return 'Waymark handlers';
  if (url.includes('/src/telemetry/')) return 'telemetry';
  if (url.includes('/src/routing/') || url.includes('/src/workers/')) return 'Waymark query + JSON';
  if (url === '' && (fn === 'route' || fn === 'snap' || fn === 'snapNearest')) return 'native query';
  if (url === '' && (fn === 'stringify' || fn === 'parse')) return 'JSON';
  if (url.startsWith('node:') && /(_http_|net|stream|timers|events|buffer|async_hooks|diagnostics|url|querystring|dns)/.test(url)) return 'node HTTP / streams';
  if (url === '' && /^(writev|writeBuffer|writeString|writeUtf8String|writeLatin1String|read|onStreamRead|close|shutdown|setNoDelay|now)$/.test(fn)) return 'node HTTP / streams';
  if (url === '' && /postMessage|receiveMessageOnPort|notify/.test(fn)) return 'Piscina hand-off';
  if (url.startsWith('node:')) return 'node other';
  return `other ${fn || '(anonymous)'}`;
}

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** µs per request by layer over the window, per thread kind (main / workers). */
function profileLayers(dir: string, window: [number, number], requests: number): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = { main: {}, workers: {} };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread.
    const kind = file.split('.')[4] === '0' ? 'main' : 'workers';
    const frames = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
    let t = p.startTime;
    for (let i = 0; i < p.samples.length; i++) {
      const dt = p.timeDeltas[i];
      t += dt;
      if (t < window[0] || t > window[1]) continue;
      const frame = frames.get(p.samples[i]);
      if (!frame) continue;
      const layer = layerOf(frame);
      if (layer === 'idle') continue;
      out[kind][layer] = (out[kind][layer] ?? 0) + dt / requests;
    }
  }
  return out;
}

export async function benchHttpBreakdown(
  mapPath: string,
  options: { duration: number; connections: number; workers: number; rounds: number; baseline?: string; rate?: number; json: boolean },
): Promise<unknown> {
  const say = (text: string) => {
    if (!options.json) process.stdout.write(text + '\n');
  };
  const pairs = randomPairs(mapPath, 2000);
  say(
    `map ${mapPath}, ${options.workers} worker(s), ${options.connections} connections, ${options.duration} s per load, ${options.rounds} round(s)` +
      (options.rate ? `, ${options.rate} requests/s offered` : ', as fast as answered'),
  );

  const proc = await inProcess(mapPath, pairs, options.workers, options.connections);
  say(
    `in process (CPU µs): query ${proc.query_cpu_us.toFixed(1)}; worker task (query + shape + JSON) ${proc.task_cpu_us.toFixed(1)}, OSRM ${proc.osrm_task_cpu_us.toFixed(1)}; ` +
      `through the pool ${proc.pooled_task_cpu_us.toFixed(1)} (hand-off ${proc.handoff_cpu_us.toFixed(1)})`,
  );

  // A real answer for the floors to send.
  const map = openMapFile(mapPath);
  const answer = JSON.stringify(routeOnMap(map.handle, { coordinates: pairs.coords[0], geometry: false }));
  native.releaseMap(map.handle);
  const servers: Server[] = [
    { name: 'floor: node:http', start: () => startFloor('node', answer) },
    { name: 'floor: Fastify', start: () => startFloor('fastify', answer) },
    waymarkServer('Waymark', mapPath, options.workers),
    ...(options.baseline ? [waymarkServer(`baseline ${options.baseline}`, mapPath, options.workers, options.baseline)] : []),
  ];
  const runs = new Map<string, LoadRow[]>();
  for (let round = 0; round < options.rounds; round++) {
    for (const server of servers) {
      const s = await server.start();
      try {
        for (const load of loads(pairs)) {
          const row = await drive(s.base, s.child.pid!, load.request(), options.connections, options.duration, options.rate);
          const key = `${server.name}|${load.name}`;
          runs.set(key, [...(runs.get(key) ?? []), row]);
        }
      } finally {
        await stop(s.child);
        s.cleanup();
      }
    }
  }
  const results = [...runs.entries()].map(([key, rows]) => {
    const [server, load] = key.split('|');
    return {
      server,
      load,
      requests_per_s: median(rows.map((r) => r.rps)),
      requests_per_s_by_round: rows.map((r) => r.rps),
      latency_p50_ms: median(rows.map((r) => r.p50_ms)),
      server_cpu_us_per_request: median(rows.map((r) => r.server_cpu_us)),
      server_cpu_us_per_request_min: Math.min(...rows.map((r) => r.server_cpu_us)),
      client_cpu_us_per_request: median(rows.map((r) => r.client_cpu_us)),
      errors: rows.reduce((s, r) => s + r.errors, 0),
    };
  });
  say('\nover HTTP (medians over rounds; CPU per request: the server, all threads, with its minimum over rounds, and the load generator):');
  for (const r of results) {
    say(
      `  ${r.server.padEnd(28)} ${r.load.padEnd(14)} ${r.requests_per_s.toFixed(0).padStart(6)} req/s (${r.requests_per_s_by_round.map((x) => x.toFixed(0)).join(', ')})  ` +
        `p50 ${r.latency_p50_ms} ms  server ${r.server_cpu_us_per_request.toFixed(0).padStart(5)} µs/req (min ${r.server_cpu_us_per_request_min.toFixed(0)})  client ${r.client_cpu_us_per_request.toFixed(0).padStart(4)} µs/req  errors ${r.errors}`,
    );
  }
  if (options.baseline) {
    for (const load of loads(pairs)) {
      const now = results.find((r) => r.server === 'Waymark' && r.load === load.name)!;
      const before = results.find((r) => r.server.startsWith('baseline') && r.load === load.name)!;
      say(
        `  ${load.name}: requests/s x${(now.requests_per_s / before.requests_per_s).toFixed(2)} of the baseline, server CPU per request x${(now.server_cpu_us_per_request / before.server_cpu_us_per_request).toFixed(2)} (medians), x${(now.server_cpu_us_per_request_min / before.server_cpu_us_per_request_min).toFixed(2)} (minimums)`,
      );
    }
  }

  // 4: where the server's CPU goes, from a profile of every thread over one POST /route window.
  const profDir = mkdtempSync(join(tmpdir(), 'waymark-bench-prof-'));
  let layers: Record<string, Record<string, number>> = {};
  let profiled: LoadRow | undefined;
  try {
    const s = await waymarkServer('Waymark (profiled)', mapPath, options.workers, undefined, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]).start();
    try {
      profiled = await drive(s.base, s.child.pid!, loads(pairs)[0].request(), options.connections, options.duration, options.rate);
    } finally {
      await stop(s.child);
      s.cleanup();
    }
    layers = profileLayers(profDir, profiled.window, profiled.requests);
  } finally {
    rmSync(profDir, { recursive: true, force: true });
  }
  say(`\nWaymark POST /route under --cpu-prof: ${profiled.rps.toFixed(0)} req/s, server CPU ${profiled.server_cpu_us.toFixed(0)} µs/req; sampled time per request by layer (runnable time: on a loaded machine it includes waiting for a core):`);
  for (const kind of ['main', 'workers']) {
    const entries = Object.entries(layers[kind] ?? {}).sort((a, b) => b[1] - a[1]);
    const total = entries.reduce((s, [, v]) => s + v, 0);
    say(`  ${kind} thread${kind === 'main' ? '' : 's'}: ${total.toFixed(0)} µs/req`);
    for (const [layer, us] of entries.filter(([, v]) => v >= total * 0.01)) say(`    ${layer.padEnd(26)} ${us.toFixed(1).padStart(7)} µs  ${((100 * us) / total).toFixed(0).padStart(3)}%`);
  }
  const report = { map: mapPath, workers: options.workers, connections: options.connections, duration_s: options.duration, rounds: options.rounds, rate: options.rate ?? null, in_process: proc, http: results, profile: { requests_per_s: profiled.rps, server_cpu_us_per_request: profiled.server_cpu_us, layers_us_per_request: layers } };
  if (options.json) process.stdout.write(JSON.stringify(report) + '\n');
  return report;
}
