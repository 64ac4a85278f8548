/**
 * Map format versions: format 4 made the customizable CH's sections (cch_*) part of every map. A
 * format-3 map (written before, possibly without them) is refused as MapVersionUnsupported with a
 * rebuild hint, not as MapCorrupt, and the bundled-map check behind `npm start` rebuilds it.
 */
import assert from 'node:assert/strict';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { WaymarkError } from '../src/errors.js';
import { bundledMapPath, ensureBundledMaps } from '../src/maps/bundled.js';
import { openMapFile } from '../src/maps/open.js';
import { native } from '../src/native/index.js';
import { monacoMap, runCli, tempDir } from './helpers.js';

/** A map as format 3 wrote it: version 3 in the header, and no cch_* sections in its table. */
function asFormat3(bytes: Buffer): Buffer {
  const b = Buffer.from(bytes);
  b.writeUInt32LE(3, 8);
  // Section table: after the fixed fields; rename the cch_* entries so none is found.
  const text = b.subarray(0, 16384).toString('latin1');
  for (let at = text.indexOf('cch_'); at >= 0; at = text.indexOf('cch_', at + 4)) b.write('old_', at, 'latin1');
  return b;
}

describe('map format version 4', () => {
  it('a format-3 map is MapVersionUnsupported with a rebuild hint (not MapCorrupt)', async () => {
    const { path, map } = await monacoMap();
    assert.equal(map.header.formatVersion, 4);
    const old = join(tempDir(), 'old.wmap');
    writeFileSync(old, asFormat3(readFileSync(path)));
    assert.throws(
      () => openMapFile(old),
      (e: unknown) => e instanceof WaymarkError && e.code === 'MapVersionUnsupported' && /old map format version 3 .*rebuild it with `waymark build`/.test(e.message),
    );
    const r = runCli(['info', old]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /\[MapVersionUnsupported\]/);
  });

  it('the bundled-map check (npm start) rebuilds a format-3 map', async () => {
    const { path } = await monacoMap();
    const dir = tempDir();
    const stale = bundledMapPath('car', dir);
    writeFileSync(stale, asFormat3(readFileSync(path)));
    // Newer than the addon and the extract: only its format makes it stale.
    const future = new Date(Date.now() + 3600_000);
    utimesSync(stale, future, future);
    const [opened] = await ensureBundledMaps(['car'], dir);
    assert.equal(opened.header.formatVersion, 4);
    assert.equal(openMapFile(stale).header.formatVersion, 4);
    native.releaseMap(opened.handle);
  });
});
