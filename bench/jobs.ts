/**
 * `waymark bench jobs <map> [--jobs 200] [--replicas 1,2,4] [--json]`: the VRP job queue's
 * overhead. Starts a throw-away PostgreSQL cluster and N `waymark serve --jobs postgres://…`
 * replicas (child processes, one solver slot each), submits trivial problems (two stops, no search
 * time) round-robin with 16 concurrent clients, and prints jobs/s accepted (POST /vrp/jobs answered
 * 202) and completed (all succeeded), with /health/live latency on one replica sampled during the
 * load. Baseline in the same run: one replica on the embedded SQLite store. Then the time from
 * DELETE on one replica to a solve stopped on another, with LISTEN/NOTIFY and with polling only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openMapFile } from '../src/maps/open.js';
import { native } from '../src/native/index.js';
import { startPgCluster, type PgCluster } from './pg-cluster.js';
import { fmt, mean, percentile, sortedCopy } from './stats.js';
import { serverReady } from './server-ready.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

interface Replica {
  child: ChildProcess;
  base: string;
  /** Job ids this replica logged starting. */
  started: Set<string>;
}

/** Every replica process started, so that a failure anywhere still stops them all. */
const spawned = new Set<ChildProcess>();

async function startReplica(map: string, args: string[]): Promise<Replica> {
  const child = spawn(process.execPath, [join(repo, 'bin', 'waymark.js'), 'serve', map, '--port', '0', '--workers', '1', '--max-solves', '1', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, WAYMARK_LOG_LEVEL: 'info' },
  });
  spawned.add(child);
  child.once('exit', () => spawned.delete(child));
  const base = await serverReady(child, 300_000, 'replica').catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  const started = new Set<string>();
  let tail = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (tail + d.toString()).split('\n');
    tail = lines.pop()!;
    for (const line of lines) {
      const m = /"job":"([0-9a-f-]{36})","attempt"/.exec(line);
      if (m) started.add(m[1]);
    }
  });
  return { child, base, started };
}

async function stopReplica(r: Replica): Promise<void> {
  if (r.child.exitCode !== null) return;
  const exited = new Promise((res) => r.child.once('exit', res));
  r.child.kill('SIGTERM');
  await exited;
}

/** The depot and six stops: points on the bench's own map (any map, not only Monaco). */
interface Places {
  depot: [number, number];
  stops: [number, number][];
}

function placesOn(map: string): Places {
  const p = native.randomRoadPoints(openMapFile(map).handle, 7, 3);
  const at = (i: number): [number, number] => [p[2 * i], p[2 * i + 1]];
  return { depot: at(0), stops: [1, 2, 3, 4, 5, 6].map(at) };
}

function trivial(places: Places, i: number) {
  const { depot, stops } = places;
  return {
    vehicles: [{ id: 1, start: depot, end: depot, description: `bench-${i}` }],
    jobs: [
      { id: 1, location: stops[0] },
      { id: 2, location: stops[1] },
    ],
    options: { time_limit: 0, seed: i },
  };
}

export interface QueueRow {
  store: string;
  replicas: number;
  jobs: number;
  acceptedPerS: number;
  completedPerS: number;
  acceptP50Ms: number;
  acceptP99Ms: number;
  liveP50Ms: number;
  liveP99Ms: number;
  liveMaxMs: number;
}

async function measureQueue(places: Places, store: string, replicas: Replica[], jobs: number, concurrency: number): Promise<QueueRow> {
  // /health/live on the first replica every 20 ms while the load runs.
  const live: number[] = [];
  let loading = true;
  const prober = (async () => {
    while (loading) {
      const t0 = performance.now();
      await (await fetch(`${replicas[0].base}/health/live`)).arrayBuffer();
      live.push(performance.now() - t0);
      await sleep(20);
    }
  })();
  const ids: { id: string; base: string }[] = [];
  const acceptMs: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs) {
        const i = next++;
        const base = replicas[i % replicas.length].base;
        const s = performance.now();
        const res = await fetch(`${base}/vrp/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(trivial(places, i)) });
        const body = (await res.json()) as { id: string };
        acceptMs.push(performance.now() - s);
        if (res.status !== 202) throw new Error(`POST /vrp/jobs answered ${res.status}: ${JSON.stringify(body)}`);
        ids.push({ id: body.id, base });
      }
    }),
  );
  const accepted = performance.now() - t0;
  // Completion: poll each job (any replica answers) until every one succeeded.
  const pending = new Set(ids.map((x) => x.id));
  let poller = 0;
  while (pending.size) {
    for (const id of [...pending].slice(0, 64)) {
      const base = replicas[poller++ % replicas.length].base;
      const job = (await (await fetch(`${base}/vrp/jobs/${id}`)).json()) as { status: string; error?: unknown };
      if (job.status === 'succeeded') pending.delete(id);
      else if (job.status === 'failed' || job.status === 'cancelled') throw new Error(`job ${id} ${job.status}: ${JSON.stringify(job.error)}`);
    }
    if (pending.size) await sleep(50);
  }
  const completed = performance.now() - t0;
  loading = false;
  await prober;
  const acc = sortedCopy(acceptMs);
  const lat = sortedCopy(live);
  return {
    store,
    replicas: replicas.length,
    jobs,
    acceptedPerS: jobs / (accepted / 1000),
    completedPerS: jobs / (completed / 1000),
    acceptP50Ms: percentile(acc, 50),
    acceptP99Ms: percentile(acc, 99),
    liveP50Ms: percentile(lat, 50),
    liveP99Ms: percentile(lat, 99),
    liveMaxMs: lat[lat.length - 1],
  };
}

/** DELETE on the replica not solving a long job until GET says cancelled, `rounds` times. */
async function measureCancel(places: Places, replicas: Replica[], rounds: number): Promise<number[]> {
  const out: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const long = {
      vehicles: [{ id: 1, start: places.depot, end: places.depot }, { id: 2, start: places.depot, end: places.depot }],
      jobs: places.stops.map((location, i) => ({ id: i + 1, location })),
      // Six stops converge in milliseconds: without run_to_time_limit the job would succeed before
      // the DELETE and the wait below would never see it cancelled.
      options: { time_limit: 60, seed: r, run_to_time_limit: true },
    };
    const posted = (await (await fetch(`${replicas[0].base}/vrp/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(long) })).json()) as { id: string };
    let solving = -1;
    while (solving < 0) {
      solving = replicas.findIndex((x) => x.started.has(posted.id));
      if (solving < 0) await sleep(10);
    }
    const other = replicas[1 - solving];
    // Until the solver itself reports (the worker thread is up and searching), then a bit more,
    // spread over the heartbeat period.
    for (;;) {
      const job = (await (await fetch(`${replicas[solving].base}/vrp/jobs/${posted.id}`)).json()) as { progress?: { best_cost: number | null } };
      if (job.progress?.best_cost != null) break;
      await sleep(20);
    }
    await sleep(100 + 173 * r);
    // Cancel through the replica that is not solving it.
    const t0 = performance.now();
    await (await fetch(`${other.base}/vrp/jobs/${posted.id}`, { method: 'DELETE' })).arrayBuffer();
    for (;;) {
      const job = (await (await fetch(`${other.base}/vrp/jobs/${posted.id}`)).json()) as { status: string };
      if (job.status === 'cancelled') break;
      if (job.status !== 'queued' && job.status !== 'running') throw new Error(`bench jobs: the job to cancel ended ${job.status}, not cancelled`);
      await sleep(5);
    }
    out.push(performance.now() - t0);
  }
  return out;
}

export async function benchJobs(map: string, options: { jobs: number; replicas: number[]; concurrency: number; cancelRounds: number; json: boolean }): Promise<void> {
  const places = placesOn(map);
  const rows: QueueRow[] = [];
  const cancel: Record<string, number[]> = {};
  const dirs: string[] = [];
  let cluster: PgCluster | undefined;
  const running: Replica[] = [];
  const say = (line: string) => {
    if (!options.json) console.log(line);
  };
  // Also on an early exit (an error, a signal): replicas and folders (the cluster removes itself).
  const removeLeftovers = () => {
    for (const child of [...spawned]) child.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  };
  process.once('exit', removeLeftovers);
  try {
    // Baseline: the embedded store, one replica.
    {
      const dir = mkdtempSync(join(tmpdir(), 'waymark-bench-jobs-'));
      dirs.push(dir);
      const r = await startReplica(map, ['--data-dir', dir]);
      running.push(r);
      rows.push(await measureQueue(places, 'sqlite', [r], options.jobs, options.concurrency));
      await stopReplica(running.pop()!);
    }
    cluster = await startPgCluster();
    let db = 0;
    const fresh = () => {
      const name = `bench_${++db}`;
      cluster!.psql(`CREATE DATABASE ${name}`);
      return cluster!.url.replace(/\/postgres$/, `/${name}`);
    };
    for (const n of options.replicas) {
      const url = fresh();
      const dir = mkdtempSync(join(tmpdir(), 'waymark-bench-jobs-'));
      dirs.push(dir);
      const reps = await Promise.all(Array.from({ length: n }, () => startReplica(map, ['--jobs', url, '--data-dir', dir])));
      running.push(...reps);
      rows.push(await measureQueue(places, 'postgres', reps, options.jobs, options.concurrency));
      while (running.length) await stopReplica(running.pop()!);
    }
    for (const [mode, extra] of [
      ['LISTEN/NOTIFY', []],
      ['polling (--no-job-notify)', ['--no-job-notify']],
    ] as const) {
      const url = fresh();
      const dir = mkdtempSync(join(tmpdir(), 'waymark-bench-jobs-'));
      dirs.push(dir);
      const a = await startReplica(map, ['--jobs', url, '--data-dir', dir, ...extra]);
      running.push(a);
      const b = await startReplica(map, ['--jobs', url, '--data-dir', dir, ...extra]);
      running.push(b);
      cancel[mode] = await measureCancel(places, [a, b], options.cancelRounds);
      while (running.length) await stopReplica(running.pop()!);
    }
  } finally {
    while (running.length) await stopReplica(running.pop()!);
    removeLeftovers();
    process.off('exit', removeLeftovers);
    cluster?.destroy();
  }
  if (options.json) {
    console.log(JSON.stringify({ queue: rows, cancelMs: cancel }, null, 2));
    return;
  }
  const base = rows[0];
  say(`VRP job queue: ${options.jobs} trivial jobs (2 stops, time_limit 0), ${options.concurrency} concurrent clients, 1 solver slot per replica`);
  say('store     replicas  accepted/s  completed/s  (x SQLite)  POST p50/p99 ms  /health/live p50/p99/max ms');
  for (const r of rows) {
    say(
      `${r.store.padEnd(9)} ${String(r.replicas).padStart(8)}  ${fmt(r.acceptedPerS).padStart(10)}  ${fmt(r.completedPerS).padStart(11)}  ${fmt(r.completedPerS / base.completedPerS, 2).padStart(10)}  ${fmt(r.acceptP50Ms).padStart(7)}/${fmt(r.acceptP99Ms).padEnd(7)}  ${fmt(r.liveP50Ms)}/${fmt(r.liveP99Ms)}/${fmt(r.liveMaxMs)}`,
    );
  }
  say('cancellation across replicas: DELETE on the replica not solving the job, until it reports the solve stopped (cancelled):');
  for (const [mode, ms] of Object.entries(cancel)) {
    const s = sortedCopy(ms);
    say(`  ${mode.padEnd(26)} mean ${fmt(mean(ms), 0)} ms, p50 ${fmt(percentile(s, 50), 0)} ms, max ${fmt(s[s.length - 1], 0)} ms over ${ms.length}`);
  }
}
