import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { zoneMatrixOnMap } from '../src/zones/zones.js';
import { monacoMap, runCli, tempDir } from './helpers.js';

describe('waymark zones (CLI)', () => {
  it('writes the documented waymark-zones/1 file, equal to the library answer', async () => {
    const { map, path } = await monacoMap();
    const dir = tempDir();
    try {
      const out = join(dir, 'zones.json');
      const bbox = '7.405,43.723,7.44,43.752';
      const r = runCli(['zones', path, '--resolution', '9', '--bbox', bbox, '--samples', '3', '--statistic', 'p90', '-o', out]);
      assert.equal(r.status, 0, r.stderr);
      const summary = JSON.parse(r.stdout);
      const z = JSON.parse(readFileSync(out, 'utf8'));
      assert.equal(z.format, 'waymark-zones/1');
      assert.equal(z.profile, 'car');
      assert.equal(z.map_version, map.header.checksum);
      assert.equal(summary.cells, z.cells.length);
      assert.equal(summary.roadless, z.roadless.length);
      const lib = zoneMatrixOnMap(map.handle, { resolution: 9, bbox: bbox.split(',').map(Number) as [number, number, number, number] }, { samples: 3, statistic: 'p90' });
      assert.deepEqual(z.durations, lib.durations);
      assert.deepEqual(z.counts, lib.counts);
      assert.deepEqual(z.cells, lib.cells);
      // Cells from a file; bad options are one-line errors with codes.
      const cellsFile = join(dir, 'cells.json');
      writeFileSync(cellsFile, JSON.stringify(z.cells.slice(0, 3)));
      const some = runCli(['zones', path, '--resolution', '9', '--cells', cellsFile]);
      assert.equal(some.status, 0, some.stderr);
      assert.deepEqual(JSON.parse(some.stdout).cells, z.cells.slice(0, 3));
      for (const args of [['--resolution', 'x'], ['--resolution', '9', '--statistic', 'mean'], ['--resolution', '9', '--bbox', '1,2,3'], ['--resolution', '9', '--cells', cellsFile, '--bbox', bbox]]) {
        const bad = runCli(['zones', path, ...args]);
        assert.equal(bad.status, 1);
        assert.match(bad.stderr, /^waymark: .*\[Invalid\w+\]\n$/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
