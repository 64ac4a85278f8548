/**
 * `waymark bench matrix-addons <map> --baseline <waymark.node>`: the same N x N matrices (search only:
 * no output arrays) by this build's addon and by another build of it (e.g. main's), in alternating
 * child processes of one run, so old and new meet the same machine load. Per method (buckets, rphast,
 * auto), size and thread count: the best CPU time of the process (all threads) over the repetitions
 * and rounds, the wall time of that run, and the ratios baseline / this build. `auto` also shows which
 * method this build picked. The load average is printed before and after.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt } from './stats.js';

export interface MatrixAddonsOptions {
  baseline: string;
  sizes: number[];
  methods: string[];
  threads: number[];
  reps: number;
  rounds: number;
  json: boolean;
}

interface Measured {
  n: number;
  method: string;
  threads: number;
  cpu_ms: number;
  wall_ms: number;
  ran: string;
}

const distRoot = join(fileURLToPath(import.meta.url), '..', '..');

// One child: opens the map, times every (size, method, threads) `reps` times, prints JSON lines.
const childScript = `
  const [openPath, nativePath, mapPath, spec] = process.argv.slice(1);
  const { openMapFile } = await import(openPath);
  const { native } = await import(nativePath);
  const o = JSON.parse(spec);
  const map = openMapFile(mapPath);
  native.matrix(map.handle, native.randomRoadPoints(map.handle, 300, 99), null, { method: 'rphast' });
  const out = [];
  for (const n of o.sizes) {
    const pts = native.randomRoadPoints(map.handle, n, n);
    for (const method of o.methods)
      for (const threads of o.threads)
        for (let r = 0; r < o.reps; r++) {
          const c0 = process.cpuUsage();
          const t0 = performance.now();
          const m = native.matrix(map.handle, pts, null, { method, threads, maxCells: n * n, durations: false, distances: false, timings: true });
          const wall_ms = performance.now() - t0;
          const c = process.cpuUsage(c0);
          out.push({ n, method, threads, cpu_ms: (c.user + c.system) / 1000, wall_ms, ran: m.timings.method });
        }
  }
  process.stdout.write(JSON.stringify(out));`;

function runChild(mapPath: string, options: MatrixAddonsOptions, addon: string | undefined): Measured[] {
  const env = { ...process.env };
  if (addon) env.WAYMARK_ADDON = addon;
  else delete env.WAYMARK_ADDON;
  const spec = JSON.stringify({ sizes: options.sizes, methods: options.methods, threads: options.threads, reps: options.reps });
  const r = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', childScript, join(distRoot, 'src', 'maps', 'open.js'), join(distRoot, 'src', 'native', 'index.js'), mapPath, spec],
    { encoding: 'utf8', env, maxBuffer: 64 << 20 },
  );
  if (r.status !== 0) throw new Error(`matrix child (${addon ?? 'this build'}) failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Measured[];
}

export function benchMatrixAddons(mapPath: string, options: MatrixAddonsOptions): void {
  const positive = (x: number) => Number.isInteger(x) && x > 0;
  if (![...options.sizes, ...options.threads, options.reps, options.rounds].every(positive)) throw new Error('sizes, threads, reps and rounds must be positive integers');
  const unknown = options.methods.filter((m) => !['buckets', 'rphast', 'auto'].includes(m));
  if (unknown.length > 0) throw new Error(`unknown matrix methods: ${unknown.join(', ')} (buckets, rphast, auto)`);
  const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
  const loadBefore = load();
  const best = new Map<string, { base?: Measured; neu?: Measured }>();
  const keep = (side: 'base' | 'neu', m: Measured) => {
    const key = `${m.n}|${m.method}|${m.threads}`;
    const e = best.get(key) ?? {};
    if (!e[side] || m.cpu_ms < e[side]!.cpu_ms) e[side] = m;
    best.set(key, e);
  };
  for (let round = 0; round < options.rounds; round++) {
    for (const m of runChild(mapPath, options, options.baseline)) keep('base', m);
    for (const m of runChild(mapPath, options, undefined)) keep('neu', m);
  }
  const rows = [...best.entries()].map(([, e]) => ({
    n: e.neu!.n,
    method: e.neu!.method,
    threads: e.neu!.threads,
    baseline: { cpu_ms: e.base!.cpu_ms, wall_ms: e.base!.wall_ms, ran: e.base!.ran },
    this_build: { cpu_ms: e.neu!.cpu_ms, wall_ms: e.neu!.wall_ms, ran: e.neu!.ran },
    ratio_cpu: e.base!.cpu_ms / e.neu!.cpu_ms,
    ratio_wall: e.base!.wall_ms / e.neu!.wall_ms,
  }));
  const loadAfter = load();
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ map: mapPath, baseline: options.baseline, load_before: loadBefore, load_after: loadAfter, rows })}\n`);
    return;
  }
  process.stdout.write(`map ${mapPath}; baseline addon ${options.baseline}; load average before ${loadBefore}\n`);
  process.stdout.write('     n  method   thr   baseline CPU (wall) ms   this build CPU (wall) ms   ratio CPU (wall)\n');
  for (const r of rows) {
    const picked = r.method === 'auto' ? ` [${r.baseline.ran} / ${r.this_build.ran}]` : '';
    process.stdout.write(
      `${String(r.n).padStart(6)}  ${r.method.padEnd(7)}  ${String(r.threads).padStart(3)}   ${fmt(r.baseline.cpu_ms, 1).padStart(9)} (${fmt(r.baseline.wall_ms, 1)})` +
        `   ${fmt(r.this_build.cpu_ms, 1).padStart(9)} (${fmt(r.this_build.wall_ms, 1)})   ${fmt(r.ratio_cpu, 2)} (${fmt(r.ratio_wall, 2)})${picked}\n`,
    );
  }
  process.stdout.write(`load average after ${loadAfter}\n`);
}
