/**
 * `waymark bench compare <pbf>`: every figure of the performance issue's table in one run on one
 * map, the previous algorithm beside the new one where both exist, ratios measured in the same run:
 * preprocessing (import + CH), point-to-point query p50 with snapping and search apart, N x N
 * matrices by buckets and by RPHAST on 1 and 2 threads (search only, and the full call with its
 * output arrays), the buckets / RPHAST crossover on small requests, and POST /route over HTTP.
 * CPU time is printed beside wall time: on a shared machine wall time alone says little.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMapFile, type OpenedMap } from '../src/maps/open.js';
import { native, type BuildSummary, type MatrixOptions } from '../src/native/index.js';
import { benchBuildOne } from './build.js';
import { fmt, percentile, sortedCopy } from './stats.js';

export interface CompareOptions {
  queries: number;
  sizes: number[];
  /** Square sizes for the crossover table (search only, 1 thread). */
  crossover: number[];
  threads: number[];
  /** Largest N whose full call (with durations and distances arrays) is timed too. */
  fullMax: number;
  httpDuration: number;
  connections: number;
  /** An existing map instead of building the PBF (no preprocessing row). */
  map?: string;
  /** Where to keep the map built from the PBF (default: a temporary file, removed). */
  keepMap?: string;
  json: boolean;
}

/** One measurement: wall and CPU time (CPU of every thread of the measuring process). */
export interface Timed {
  wall_ms: number;
  cpu_ms: number;
}

export interface CompareRow {
  figure: string;
  unit: string;
  old?: Timed | number;
  new: Timed | number;
  /** old / new (time) or new / old (rate): above 1 means the new one is better. */
  ratio?: number;
  ratio_cpu?: number;
  goal?: string;
  note?: string;
}

function timed<T>(fn: () => T): { result: T; t: Timed } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = fn();
  const wall_ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { result, t: { wall_ms, cpu_ms: (c.user + c.system) / 1000 } };
}

/** The faster of `reps` runs (by CPU time; wall of the same run). */
function best(reps: number, fn: () => unknown): Timed {
  let out: Timed | undefined;
  for (let i = 0; i < reps; i++) {
    const { t } = timed(fn);
    if (!out || t.cpu_ms < out.cpu_ms) out = t;
  }
  return out!;
}

function procCpuSeconds(pid: number): number {
  // utime and stime (fields 14 and 15) in clock ticks; the command name may hold spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** What method auto picks for this request (one extra call) and by what estimate. */
function autoPick(map: OpenedMap, pts: Float64Array, n: number): string {
  const t = native.matrix(map.handle, pts, null, { threads: 1, durations: false, distances: false, timings: true, maxCells: n * n }).timings;
  const e = t?.estimate;
  if (!e) return `auto picks ${t?.method} (below 16 x 16)`;
  return (
    `auto picks ${t?.method}: model buckets ${fmt(e.bucketsMs, 1)} ms vs RPHAST ${fmt(e.rphastMs, 1)} ms ` +
    `(selection ${e.selectionNodes} nodes / ${e.selectionArcs} arcs, bucket scan ${fmt(e.bucketScanPerSource, 0)} entries per source, ` +
    `${fmt(e.nsPerSettled, 0)} ns per settled node)`
  );
}

function matrixRows(map: OpenedMap, options: CompareOptions, rows: CompareRow[], goals: Record<string, string>): void {
  const run = (pts: Float64Array, n: number, method: 'buckets' | 'rphast', threads: number, full: boolean) => {
    const o: MatrixOptions = { method, threads, maxCells: n * n, durations: full, distances: full };
    return best(n >= 5000 ? 1 : 2, () => native.matrix(map.handle, pts, null, o));
  };
  native.matrix(map.handle, native.randomRoadPoints(map.handle, 300, 99), null, { method: 'rphast' }); // warm-up
  native.matrix(map.handle, native.randomRoadPoints(map.handle, 300, 99), null, { method: 'buckets' });
  for (const n of options.sizes) {
    const pts = native.randomRoadPoints(map.handle, n, n);
    for (const threads of options.threads) {
      const old = run(pts, n, 'buckets', threads, false);
      const neu = run(pts, n, 'rphast', threads, false);
      rows.push({
        figure: `matrix ${n}² search only, ${threads} thread${threads > 1 ? 's' : ''}`,
        unit: 'ms',
        old,
        new: neu,
        ratio: old.wall_ms / neu.wall_ms,
        ratio_cpu: old.cpu_ms / neu.cpu_ms,
        ...(goals[`matrix ${n}`] ? { goal: goals[`matrix ${n}`] } : {}),
        ...(threads === options.threads[0] ? { note: autoPick(map, pts, n) } : {}),
      });
    }
    if (n <= options.fullMax) {
      const threads = Math.max(...options.threads);
      const old = run(pts, n, 'buckets', threads, true);
      const neu = run(pts, n, 'rphast', threads, true);
      rows.push({
        figure: `matrix ${n}² full call (durations + distances arrays), ${threads} threads`,
        unit: 'ms',
        old,
        new: neu,
        ratio: old.wall_ms / neu.wall_ms,
        ratio_cpu: old.cpu_ms / neu.cpu_ms,
      });
    }
  }
  for (const n of options.crossover) {
    const pts = native.randomRoadPoints(map.handle, n, n + 3);
    const reps = n <= 100 ? 20 : 5;
    const old = best(reps, () => native.matrix(map.handle, pts, null, { method: 'buckets', threads: 1, durations: false, distances: false }));
    const neu = best(reps, () => native.matrix(map.handle, pts, null, { method: 'rphast', threads: 1, durations: false, distances: false }));
    rows.push({
      figure: `crossover ${n}², search only, 1 thread`,
      unit: 'ms',
      old,
      new: neu,
      ratio: old.wall_ms / neu.wall_ms,
      ratio_cpu: old.cpu_ms / neu.cpu_ms,
      note: autoPick(map, pts, n),
    });
  }
}

async function httpRow(mapPath: string, options: CompareOptions): Promise<CompareRow> {
  // Loaded on use: autocannon is a development dependency.
  const { startServer, routeLoad } = await import('./http.js');
  const autocannon = (await import('autocannon')).default;
  const workers = availableParallelism();
  const { child, base, dataDir } = await startServer(mapPath, workers);
  try {
    const load = routeLoad(mapPath);
    await autocannon({ url: base, connections: options.connections, duration: 1, requests: load.requests }); // warm-up
    const cpu0 = procCpuSeconds(child.pid!);
    const t0 = performance.now();
    const r = await autocannon({ url: base, connections: options.connections, duration: options.httpDuration, requests: load.requests });
    const wall_s = (performance.now() - t0) / 1000;
    const cpu_s = procCpuSeconds(child.pid!) - cpu0;
    return {
      figure: `POST /route over HTTP, ${workers} workers, ${options.connections} connections`,
      unit: 'req/s',
      new: r.requests.average,
      goal: '≥ 4,000 req/s',
      note: `p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, errors ${r.errors + r.timeouts + r.non2xx}, server CPU ${fmt((100 * cpu_s) / wall_s, 0)} % of a core, ${fmt((1e6 * cpu_s) / Math.max(1, r.requests.total), 0)} µs CPU per request`,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.on('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function cell(x: Timed | number | undefined, unit: string): string {
  if (x === undefined) return '—';
  if (typeof x === 'number') return `${fmt(x, unit === 'req/s' ? 0 : 1)} ${unit}`;
  const scale = unit === 's' ? 1000 : 1; // Timed holds milliseconds
  const wall = x.wall_ms / scale;
  const cpu = x.cpu_ms / scale;
  return `${fmt(wall, wall < 10 ? 2 : 1)} ${unit} (cpu ${fmt(cpu, cpu < 10 ? 2 : 1)})`;
}

export async function benchCompare(pbf: string, options: CompareOptions): Promise<{ map: string; rows: CompareRow[] }> {
  const rows: CompareRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'waymark-bench-compare-'));
  const say = (text: string) => {
    if (!options.json) process.stderr.write(text + '\n');
  };
  try {
    let mapPath = options.map;
    if (!mapPath) {
      mapPath = options.keepMap ?? join(dir, 'map.wmap');
      say(`building ${pbf} ...`);
      const built = benchBuildOne(pbf, 'car', mapPath);
      const result = built.result as BuildSummary & { secondsImport: number };
      const c = result.contractionPhases;
      rows.push({
        figure: 'preprocessing (import + CH), all threads',
        unit: 's',
        new: { wall_ms: built.seconds * 1000, cpu_ms: built.cpu_s * 1000 },
        goal: '≤ 60 s (region64)',
        note:
          `phases (s wall): osmium read + import ${fmt(built.seconds_read, 2)}, road graph ${fmt(result.secondsGraph, 2)}, ` +
          `edge-based graph ${fmt(result.secondsEdgeBased, 2)}, contraction ${fmt(result.secondsContraction, 2)} ` +
          `(CPU ${fmt(result.cpuSecondsContraction, 2)}; initial priorities ${fmt(c.secondsInitialPriorities, 2)}, ` +
          `witness searches ${fmt(c.secondsWitness, 2)}, priority updates ${fmt(c.secondsPriorityUpdates, 2)}, ` +
          `independent sets ${fmt(c.secondsSelect, 2)}, graph updates ${fmt(c.secondsApply, 2)}, CSR ${fmt(c.secondsFinish, 2)}; ` +
          `${c.rounds} rounds, ${result.chShortcuts} shortcuts), CCH topology ${fmt(result.secondsCch, 2)}, ` +
          `snap index ${fmt(result.secondsSnapIndex, 2)}, write ${fmt(result.secondsWrite, 2)}; ` +
          `peak RSS ${fmt(built.peak_rss_mb, 0)} MB; ${built.nodes} nodes, ${result.segments} segments`,
      });
    }
    const map = openMapFile(mapPath);
    const counts = map.header.counts;
    say(`map ${map.header.sourceName}: ${counts.segments} segments, ${counts.chArcs} CH arcs; queries ...`);

    const pairs = native.randomRoadPoints(map.handle, options.queries * 2, 1);
    native.benchRoutes(map.handle, pairs.subarray(0, Math.min(pairs.length, 4000)), 'ch'); // warm-up
    const q = native.benchRoutes(map.handle, pairs, 'ch');
    const search = q.micros.map((m, i) => m - q.snapMicros[i]);
    const cpuPerQuery = q.cpuMicros / options.queries;
    const c = q.chCounts; // work done, comparable across runs on a loaded machine
    const n = Math.max(1, options.queries);
    rows.push({
      figure: `point-to-point query p50 (snap both ends + search), ${options.queries} random pairs`,
      unit: 'µs',
      new: percentile(sortedCopy(q.micros), 50),
      goal: '≤ 10 µs',
      note:
        `snap p50 ${fmt(percentile(sortedCopy(q.snapMicros), 50), 2)} µs, search p50 ${fmt(percentile(sortedCopy(search), 50), 2)} µs, p99 ${fmt(percentile(sortedCopy(q.micros), 99))} µs; CPU ${fmt(cpuPerQuery, 2)} µs per query (mean); ` +
        `per query ${fmt(c.settled / n, 1)} settled (${fmt(c.stalled / n, 1)} stalled), ${fmt(c.stallArcs / n, 0)} arcs read by stall tests, ` +
        `${fmt(c.relaxArcs / n, 0)} scanned to relax, ${fmt(c.pushes / n, 1)} pushes; transit table: ${fmt(c.coreLabels / n, 1)} core labels, ` +
        `${fmt(c.corePairs / n, 0)} entries read, ${fmt((100 * c.corePaths) / n, 1)} % of the paths through it`,
    });

    say('matrices ...');
    matrixRows(map, options, rows, { 'matrix 1000': '≤ 20 ms', 'matrix 5000': '≤ 250 ms (region64: ≤ 400 ms)', 'matrix 10000': '≤ 1 s' });
    if (options.httpDuration > 0) {
      say('HTTP ...');
      try {
        rows.push(await httpRow(mapPath, options));
      } catch (err) {
        // The other rows stand: report the failure in place of the figure.
        rows.push({ figure: 'POST /route over HTTP', unit: 'req/s', new: NaN, note: `not measured: ${(err as Error).message}` });
      }
    }
    const simd = native.matrix(map.handle, native.randomRoadPoints(map.handle, 20, 1), null, { method: 'rphast', timings: true }).timings?.simd;
    native.releaseMap(map.handle);
    const out = { map: map.header.sourceName, segments: counts.segments, chArcs: counts.chArcs, simd, cpus: availableParallelism(), rows };
    if (options.json) {
      process.stdout.write(JSON.stringify(out) + '\n');
    } else {
      process.stdout.write(
        `map ${out.map}: ${out.segments} segments, ${out.chArcs} CH arcs; RPHAST sweep ${simd}; ${out.cpus} CPUs; times as wall (cpu = CPU time of every thread of the process)\n`,
      );
      const w = [62, 30, 30, 14];
      process.stdout.write(['figure'.padEnd(w[0]), 'old (buckets)'.padEnd(w[1]), 'new (RPHAST; else current)'.padEnd(w[2]), 'old/new'.padEnd(w[3]), 'goal / notes'].join(' ') + '\n');
      for (const r of rows) {
        const ratio = r.ratio !== undefined ? `${fmt(r.ratio, 2)} (cpu ${fmt(r.ratio_cpu ?? NaN, 2)})` : '—';
        const notes = [r.goal, r.note].filter(Boolean).join('; ');
        process.stdout.write([r.figure.padEnd(w[0]), cell(r.old, r.unit).padEnd(w[1]), cell(r.new, r.unit).padEnd(w[2]), ratio.padEnd(w[3]), notes].join(' ') + '\n');
      }
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
