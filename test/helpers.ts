/** Shared test set-up: the real bundled extract, built once per test file into a temp directory. */
import { spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildMapFromPbf, type BuildMapResult } from '../src/build/build-map.js';
import { openMapFile, type OpenedMap } from '../src/maps/open.js';
import { getProfile } from '../src/profiles/index.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const dataPbf = join(repoRoot, 'data', 'monaco.osm.pbf');
export const fixtures = join(repoRoot, 'test', 'fixtures');

const tempDirs: string[] = [];
const children = new Set<ChildProcess>();

/** Removes what this process made under the temp folder, after stopping the servers it started there. */
function cleanUp(): void {
  // Child servers write into these directories: stop them first (synchronously: this runs at exit).
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  for (const dir of tempDirs.splice(0)) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
    } catch (err) {
      // One directory that cannot go must not keep the others: say so (the suite's guard fails the run).
      process.stderr.write(`helpers: could not remove ${dir}: ${(err as Error).message}\n`);
    }
  }
}

// Every test file runs in its own process: whatever it made under the temp folder goes when it exits,
// passed or failed, and when the test runner stops it with a signal (no 'exit' event then).
process.on('exit', cleanUp);
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.once(signal, () => {
    cleanUp();
    process.exit(128 + (signal === 'SIGHUP' ? 1 : signal === 'SIGINT' ? 2 : 15));
  });
}

/** A fresh directory under the temp folder, removed when this process exits. */
export function tempDir(prefix = 'waymark-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** A child process to stop (SIGKILL) when this process exits, if it is still running then. */
export function trackChild(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

let built: Promise<{ result: BuildMapResult; map: OpenedMap; path: string }> | undefined;

/** The car map of data/monaco.osm.pbf, built once per test process. */
export function monacoMap(): Promise<{ result: BuildMapResult; map: OpenedMap; path: string }> {
  built ??= (async () => {
    const path = join(tempDir(), 'monaco.car.wmap');
    const result = await buildMapFromPbf({ input: dataPbf, output: path, profile: getProfile('car') });
    return { result, map: openMapFile(path), path };
  })();
  return built;
}

/** Runs the real CLI (bin/waymark.js) and returns its output. */
export function runCli(args: string[], options: { timeoutMs?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [join(repoRoot, 'bin', 'waymark.js'), ...args], {
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    env: { ...process.env, WAYMARK_LOG_LEVEL: 'warn' },
  });
}
