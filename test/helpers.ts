/** Shared test set-up: the real bundled extract, built once per test file into a temp directory. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
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
// Every test file runs in its own process: whatever it made under the temp folder goes when it exits,
// passed or failed (child servers using these directories are stopped by then).
process.on('exit', () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory under the temp folder, removed when this process exits. */
export function tempDir(prefix = 'waymark-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
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
