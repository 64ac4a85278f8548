/**
 * Tests leave nothing in the temp folder (issue 21). scripts/run-tests.mjs (what `npm test` runs)
 * gives the run a temp folder of its own and fails when a test left a waymark entry in it; the
 * helpers remove their directories and stop their child servers on exit and on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { repoRoot, tempDir } from './helpers.js';

const runs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('waymark-test-run-'));

describe('temp files', () => {
  it('run-tests fails a run that leaves a waymark entry, passes a clean one, and removes its temp folder either way', () => {
    const dir = tempDir('waymark-test-guard-');
    const leaky = join(dir, 'leaky.test.mjs');
    const clean = join(dir, 'clean.test.mjs');
    writeFileSync(
      leaky,
      `import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path'; import { it } from 'node:test';
       it('leaks', () => { mkdtempSync(join(tmpdir(), 'waymark-forgotten-')); });\n`,
    );
    writeFileSync(
      clean,
      `import { mkdtempSync, rmSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path'; import { it } from 'node:test';
       it('cleans', () => { rmSync(mkdtempSync(join(tmpdir(), 'waymark-tidy-')), { recursive: true }); });\n`,
    );
    const before = runs();
    const bad = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'run-tests.mjs'), leaky], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(bad.status, 1, bad.stdout + bad.stderr);
    assert.match(bad.stderr, /left 1 waymark entry[\s\S]*waymark-forgotten-/);
    const good = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'run-tests.mjs'), clean], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(good.status, 0, good.stdout + good.stderr);
    assert.match(good.stderr, /temp folder was left clean/);
    assert.deepEqual(runs(), before, 'each run removed its own temp folder');
    // A failing test fails the run on its own account.
    writeFileSync(clean, `import { it } from 'node:test'; it('fails', () => { throw new Error('no'); });\n`);
    assert.equal(spawnSync(process.execPath, [join(repoRoot, 'scripts', 'run-tests.mjs'), clean], { cwd: repoRoot, encoding: 'utf8' }).status, 1);
  });

  it('a test process stopped by SIGTERM still removes its temp directories and stops its child servers', async () => {
    const dir = tempDir('waymark-test-signal-');
    const script = join(dir, 'victim.mjs');
    writeFileSync(
      script,
      `import { spawn } from 'node:child_process';
       import { tempDir, trackChild } from ${JSON.stringify(pathToFileURL(join(repoRoot, 'dist', 'test', 'helpers.js')).href)};
       const made = tempDir('waymark-test-victim-');
       const child = trackChild(spawn('sleep', ['600'], { stdio: 'ignore' }));
       process.stdout.write(JSON.stringify({ made, pid: child.pid }) + '\\n');
       setInterval(() => {}, 1000);\n`,
    );
    const victim = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => victim.stdout!.once('data', (d: Buffer) => resolve(d.toString())));
    const { made, pid } = JSON.parse(line) as { made: string; pid: number };
    assert.ok(existsSync(made));
    const code = await new Promise<number | null>((resolve) => {
      victim.on('exit', (c) => resolve(c));
      victim.kill('SIGTERM');
    });
    assert.equal(code, 143);
    assert.equal(existsSync(made), false, 'the directory went with the process');
    // Gone, or a zombie nobody reaps (a container's init may not): either way no longer running.
    const running = () => {
      try {
        return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    let alive = running();
    for (let i = 0; i < 100 && alive; i++) {
      await new Promise((r) => setTimeout(r, 20));
      alive = running();
    }
    assert.equal(alive, false, 'the child was stopped');
  });
});
