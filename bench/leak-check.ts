/**
 * LeakSanitizer over the whole import pipeline and the VRP solver: fuzz/leak_check.cc (built by
 * fuzz/build.sh with clang, ASan + UBSan, in a process of its own so Node's and V8's at-exit
 * allocations are not in the way) builds the bundled extract from osmium's real OPL with the real car
 * profile, queries the new map (snapping, routes, a matrix) and solves a VRP on two threads; LSan
 * reports anything still allocated at exit. `npm run test:leaks` runs it; test/leak-check.test.ts too.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { streamRoutableOpl } from '../src/build/osmium.js';
import { getProfile } from '../src/profiles/index.js';
import type { ProfileTable } from '../src/profiles/types.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface LeakCheck {
  exitCode: number | null;
  /** LSan's count of leaked allocations (0 when clean). */
  leaks: number;
  seconds: number;
  /** The driver's own lines (what it built and solved). */
  output: string;
  /** The sanitizer report, when there is one. */
  report?: string;
}

/** The profile table as the driver's profile.tsv: one field per line, values tab-separated. */
export function profileTsv(p: ProfileTable): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(p)) {
    if (value === undefined) continue;
    let values: string[];
    if (Array.isArray(value)) values = value.map((v) => (Array.isArray(v) ? v.join('=') : String(v)));
    else if (typeof value === 'object') values = Object.entries(value as Record<string, number>).map(([k, v]) => `${k}=${v}`);
    else values = [String(value)];
    for (const v of values) if (/[\t\n]/.test(v)) throw new Error(`profile.${key}: a value holds a tab or newline`);
    lines.push([key, ...values].join('\t'));
  }
  return lines.join('\n') + '\n';
}

/** Builds the driver (incrementally) and runs it on the bundled extract; the caller judges the result. */
export async function runLeakCheck(profile = 'car', options: { plantLeak?: boolean } = {}): Promise<LeakCheck> {
  const build = spawnSync('sh', [join(repo, 'fuzz', 'build.sh'), 'leak_check'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`fuzz/build.sh leak_check failed:\n${build.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), 'waymark-leak-check-'));
  try {
    writeFileSync(join(dir, 'profile.tsv'), profileTsv(getProfile(profile)));
    // The OPL exactly as `waymark build` streams it into the importer.
    const opl = createWriteStream(join(dir, 'routable.opl'));
    await streamRoutableOpl(join(repo, 'data', 'monaco.osm.pbf'), (chunk) => opl.write(chunk));
    await new Promise<void>((resolve, reject) => opl.end((err?: Error | null) => (err ? reject(err) : resolve())));
    const started = performance.now();
    const r = spawnSync(join(repo, 'build', 'fuzz', 'leak_check'), [join(dir, 'profile.tsv'), join(dir, 'routable.opl'), join(dir, `monaco.${profile}.wmap`)], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
      env: {
        ...process.env,
        ...(options.plantLeak ? { WAYMARK_LEAK_CHECK_PLANT: '1' } : {}),
        ASAN_OPTIONS: 'detect_leaks=1:halt_on_error=1:abort_on_error=0',
        LSAN_OPTIONS: 'exitcode=23:report_objects=1',
        UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const log = r.stderr ?? '';
    const summary = /SUMMARY: AddressSanitizer: (\d+) byte\(s\) leaked in (\d+) allocation/.exec(log);
    const sanitized = /ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|runtime error:/.test(log);
    return {
      exitCode: r.status,
      leaks: summary ? Number(summary[2]) : 0,
      seconds,
      output: (r.stdout ?? '').trim(),
      ...(sanitized || r.status !== 0 ? { report: log.split('\n').slice(0, 80).join('\n') } : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await runLeakCheck(process.argv[2] ?? 'car');
  process.stdout.write(`${r.output}\nleak_check: exit ${r.exitCode}, ${r.leaks} leaked allocations, ${r.seconds.toFixed(1)} s under ASan + LSan\n`);
  if (r.report) process.stdout.write(r.report + '\n');
  process.exitCode = r.exitCode === 0 && r.leaks === 0 && !r.report ? 0 : 1;
}
