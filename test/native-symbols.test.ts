/**
 * Native hot spots can be profiled on a running server: the release addon keeps its symbol table
 * and frame pointers, so `perf record -g -p <pid>` resolves and unwinds Waymark's C++ functions.
 * The perf part runs where Debian's linux-perf is installed (scripts/setup.mjs installs it when it
 * can); the symbol and frame-pointer checks run everywhere.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { monacoMap, repoRoot, tempDir } from './helpers.js';
import { startChildServer, stopChild } from './server-helpers.js';

const addon = join(repoRoot, 'build', 'Release', 'waymark.node');

function tool(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const hasPerf = !spawnSync('perf', ['--version']).error;

describe('native symbols for profilers', () => {
  it('the release addon keeps its symbol table with the core functions', () => {
    assert.match(tool('readelf', ['-S', '-W', addon]), /\.symtab\s/, 'a .symtab section');
    const symbols = tool('nm', ['-C', '--defined-only', addon]);
    for (const fn of ['waymark::manyToMany(', 'waymark::routeThrough(', 'waymark::js::snapAll(']) {
      assert.ok(symbols.split('\n').some((l) => / [Tt] /.test(l) && l.includes(fn)), `${fn} is a defined text symbol`);
    }
  });

  it('is built with frame pointers (call graphs unwind through the core)', () => {
    // The prologue of a non-leaf function saves and sets up %rbp.
    const address = tool('nm', ['-C', '--defined-only', addon])
      .split('\n')
      .find((l) => / T waymark::manyToMany\(/.test(l))!
      .split(' ')[0];
    const start = BigInt('0x' + address);
    const code = tool('objdump', ['-d', '--no-show-raw-insn', `--start-address=0x${start.toString(16)}`, `--stop-address=0x${(start + 64n).toString(16)}`, addon]);
    assert.match(code, /push\s+%rbp[\s\S]*mov\s+%rsp,%rbp/, `manyToMany sets up a frame pointer:\n${code}`);
  });

  it('perf record -p <server pid> resolves the addon symbols while it serves tables', { skip: hasPerf ? false : 'perf (Debian linux-perf) is not installed here' }, async (t) => {
    const { path } = await monacoMap();
    const dataDir = tempDir('waymark-perf-data-');
    const out = mkdtempSync(join(tmpdir(), 'waymark-perf-'));
    const server = await startChildServer([path, '--port', '0', '--workers', '2', '--data-dir', dataDir]);
    try {
      const coords = Array.from({ length: 60 }, (_, i) => `${(7.415 + (i % 10) * 0.0015).toFixed(5)},${(43.73 + Math.floor(i / 10) * 0.0015).toFixed(5)}`).join(';');
      // A record while the server answers tables; a second attempt if a busy machine gave no addon samples.
      const record = async (attempt: number): Promise<{ code: number | null; output: string; report: string }> => {
        let running = true;
        const loops = Array.from({ length: 3 }, async () => {
          while (running) await (await fetch(`${server.base}/table/v1/car/${coords}`)).arrayBuffer();
        });
        const data = join(out, `perf-${attempt}.data`);
        const perf = spawn('perf', ['record', '-e', 'cpu-clock', '-F', '999', '-g', '-p', String(server.child.pid), '-o', data, '--', 'sleep', '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        perf.stdout!.on('data', (d: Buffer) => (output += d));
        perf.stderr!.on('data', (d: Buffer) => (output += d));
        const code = await new Promise<number | null>((resolve) => perf.on('exit', resolve));
        running = false;
        await Promise.all(loops);
        const report = code === 0 ? spawnSync('perf', ['report', '-i', data, '--stdio', '--no-children', '-g', 'none', '--sort', 'dso,symbol'], { encoding: 'utf8', maxBuffer: 256 << 20 }).stdout : '';
        return { code, output, report };
      };
      let r = await record(1);
      if (r.code !== 0 && /paranoid|permission|not permitted|not supported/i.test(r.output)) {
        t.skip(`perf cannot record here: ${r.output.trim().split('\n')[0]}`);
        return;
      }
      if (!r.report.includes('waymark.node')) r = await record(2);
      assert.equal(r.code, 0, `perf record: ${r.output}`);
      const addonLines = r.report.split('\n').filter((l) => l.includes('waymark.node'));
      assert.ok(addonLines.length > 0, `samples in waymark.node:\n${r.report.slice(0, 3000)}`);
      assert.ok(addonLines.some((l) => /waymark::/.test(l)), `addon samples resolve to waymark:: functions:\n${addonLines.slice(0, 20).join('\n')}`);
    } finally {
      await stopChild(server.child);
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });
});
