/**
 * libFuzzer runs of the targets in fuzz/ (built by fuzz/build.sh with clang: ASan + UBSan +
 * libFuzzer), each seeded from the bundled data: OPL text of data/monaco.osm.pbf, the Monaco car
 * map, and the committed regression inputs under fuzz/regressions/<target>/. Used by the test suite
 * (a fixed number of executions) and by `waymark bench fuzz` (a time budget per target).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildMapFromPbf } from '../src/build/build-map.js';
import { getProfile } from '../src/profiles/index.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const FUZZ_TARGETS = ['opl_collector_fuzz', 'map_loader_fuzz', 'vrp_model_fuzz', 'snap_route_fuzz'] as const;
export type FuzzTarget = (typeof FUZZ_TARGETS)[number];

export interface FuzzRun {
  target: FuzzTarget;
  executions: number;
  /** libFuzzer's coverage figures at the end: edges (cov) and features (ft). */
  coverage: number;
  features: number;
  seconds: number;
  crashes: number;
  /** The sanitizer's or libFuzzer's report when the run failed. */
  report?: string;
  exitCode: number | null;
}

/** Builds the targets (incrementally); throws with the compiler's output on failure. */
export function buildFuzzers(): string {
  const r = spawnSync('sh', [join(repo, 'fuzz', 'build.sh')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`fuzz/build.sh failed:\n${r.stderr}`);
  return join(repo, 'build', 'fuzz');
}

/** Seed corpora from the bundled data, in a temp directory (removed by the caller). */
export async function seedCorpora(dir: string): Promise<{ corpus: Record<FuzzTarget, string>; map: string }> {
  const corpus = Object.fromEntries(FUZZ_TARGETS.map((t) => [t, join(dir, t)])) as Record<FuzzTarget, string>;
  for (const path of Object.values(corpus)) mkdirSync(path, { recursive: true });
  const map = join(dir, 'monaco.car.wmap');
  await buildMapFromPbf({ input: join(repo, 'data', 'monaco.osm.pbf'), output: map, profile: getProfile('car') });
  cpSync(map, join(corpus.map_loader_fuzz, 'monaco.car.wmap'));
  // OPL: osmium's text for the extract, cut at line ends into pieces of a few KB (nodes, ways, relations).
  const opl = spawnSync('osmium', ['cat', join(repo, 'data', 'monaco.osm.pbf'), '-f', 'opl', '-o', '-'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (opl.status !== 0) throw new Error(`osmium cat failed: ${opl.stderr}`);
  const lines = opl.stdout.split('\n');
  const pick = (prefix: string, n: number) => lines.filter((l) => l.startsWith(prefix)).slice(0, n).join('\n') + '\n';
  writeFileSync(join(corpus.opl_collector_fuzz, 'nodes.opl'), pick('n', 40));
  writeFileSync(join(corpus.opl_collector_fuzz, 'ways.opl'), pick('w', 20));
  writeFileSync(join(corpus.opl_collector_fuzz, 'relations.opl'), pick('r', 10));
  const profiles = spawnSync('osmium', ['cat', join(repo, 'test', 'fixtures', 'profiles.osm'), '-f', 'opl', '-o', '-'], { encoding: 'utf8' });
  if (profiles.status === 0) writeFileSync(join(corpus.opl_collector_fuzz, 'profiles.opl'), profiles.stdout);
  for (const target of FUZZ_TARGETS) {
    const regressions = join(repo, 'fuzz', 'regressions', target);
    if (existsSync(regressions)) cpSync(regressions, corpus[target], { recursive: true });
  }
  return { corpus, map };
}

/** Runs one target over its corpus for a number of executions or seconds. */
export function runFuzzer(bin: string, target: FuzzTarget, corpus: string, map: string, limit: { runs?: number; seconds?: number }): FuzzRun {
  const work = mkdtempSync(join(tmpdir(), 'waymark-fuzz-'));
  try {
    const args = [
      `-artifact_prefix=${work}/`,
      '-seed=1',
      '-print_final_stats=1',
      target === 'map_loader_fuzz' ? '-max_len=400000' : '-max_len=4096',
      ...(limit.runs !== undefined ? [`-runs=${limit.runs}`] : []),
      ...(limit.seconds !== undefined ? [`-max_total_time=${limit.seconds}`] : []),
      corpus,
    ];
    const started = performance.now();
    const r = spawnSync(join(bin, target), args, {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
      env: { ...process.env, WAYMARK_FUZZ_MAP: map, ASAN_OPTIONS: 'detect_leaks=1', UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1' },
    });
    const seconds = (performance.now() - started) / 1000;
    const log = r.stderr ?? '';
    const done = /#(\d+)\s+DONE\s+cov: (\d+) ft: (\d+)/.exec(log);
    const last = [...log.matchAll(/#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+)/g)].pop();
    const crashes = readdirSync(work).filter((f) => /^(crash|leak|timeout|oom)-/.test(f));
    // Keep what was found beside the regressions, for a human to commit once fixed.
    if (crashes.length > 0) {
      const keep = join(repo, 'build', 'fuzz', 'findings', target);
      mkdirSync(keep, { recursive: true });
      for (const f of crashes) cpSync(join(work, f), join(keep, f));
    }
    const failed = r.status !== 0 || crashes.length > 0 || /runtime error:|ERROR: (Address|Leak|UndefinedBehavior)Sanitizer/.test(log);
    return {
      target,
      executions: Number((done ?? last)?.[1] ?? 0),
      coverage: Number((done ?? last)?.[2] ?? 0),
      features: Number((done ?? last)?.[3] ?? 0),
      seconds,
      crashes: Math.max(crashes.length, failed ? 1 : 0),
      ...(failed ? { report: log.split('\n').filter((l) => /ERROR|runtime error|SUMMARY|#\d+ 0x/.test(l)).slice(0, 30).join('\n') } : {}),
      exitCode: r.status,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `waymark bench fuzz`: every target for a time budget; prints executions, coverage and crashes. */
export async function benchFuzz(seconds: number, json: boolean): Promise<FuzzRun[]> {
  const bin = buildFuzzers();
  const dir = mkdtempSync(join(tmpdir(), 'waymark-fuzz-seeds-'));
  try {
    const { corpus, map } = await seedCorpora(dir);
    const runs: FuzzRun[] = [];
    for (const target of FUZZ_TARGETS) {
      const run = runFuzzer(bin, target, corpus[target], map, { seconds });
      runs.push(run);
      if (!json) {
        process.stdout.write(
          `${target.padEnd(20)} ${String(run.executions).padStart(10)} executions  ${String(Math.round(run.executions / run.seconds)).padStart(7)}/s  cov ${String(run.coverage).padStart(5)}  ft ${String(run.features).padStart(6)}  crashes ${run.crashes}\n`,
        );
        if (run.report) process.stdout.write(run.report + '\n');
      }
    }
    if (json) process.stdout.write(JSON.stringify(runs, null, 2) + '\n');
    return runs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
