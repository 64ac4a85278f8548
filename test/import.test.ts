import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildMapFromPbf } from '../src/build/build-map.js';
import { WaymarkError } from '../src/errors.js';
import { openMapFile } from '../src/maps/open.js';
import { native } from '../src/native/index.js';
import { getProfile } from '../src/profiles/index.js';
import { dataPbf, fixtures, monacoMap, repoRoot, runCli, tempDir } from './helpers.js';

function edgesNamed(map: Awaited<ReturnType<typeof monacoMap>>['map'], name: string): number[] {
  const names = native.mapSection(map.handle, 'name_chars', 'u8');
  const first = native.mapSection(map.handle, 'name_first', 'u32');
  const edgeName = native.mapSection(map.handle, 'edge_name', 'u32');
  const decoder = new TextDecoder();
  const wanted = new Set<number>();
  for (let i = 0; i + 1 < first.length; i++) {
    if (decoder.decode(names.subarray(first[i], first[i + 1])) === name) wanted.add(i);
  }
  const out: number[] = [];
  edgeName.forEach((n, e) => {
    if (wanted.has(n)) out.push(e);
  });
  return out;
}

describe('import of the bundled Monaco extract (car)', () => {
  it('produces plausible counts', async () => {
    const { result, map } = await monacoMap();
    assert.equal(map.header.profile, 'car');
    assert.equal(map.header.sourceName, 'monaco.osm.pbf');
    assert.match(map.header.sourceTimestamp, /^2025-10-23/);
    // Monaco has ~3,500 highway ways; the car network is a few hundred junctions to a few thousand.
    assert.ok(result.import.routableWays > 800 && result.import.routableWays < 3500, `routable ways ${result.import.routableWays}`);
    assert.ok(map.header.counts.nodes > 500 && map.header.counts.nodes < 5000, `nodes ${map.header.counts.nodes}`);
    assert.ok(map.header.counts.edges > 700 && map.header.counts.edges < 6000, `edges ${map.header.counts.edges}`);
    assert.ok(map.header.counts.edges < result.graph.edgesBeforeCompression, 'degree-2 chains were compressed');
    // The bbox is Monaco's road network, not the outliers stretching the file's bbox.
    const [minLon, minLat, maxLon, maxLat] = map.header.bbox;
    assert.ok(minLon > 7.39 && maxLon < 7.45 && minLat > 43.72 && maxLat < 43.76, `bbox ${map.header.bbox}`);
  });

  it('keeps a oneway street one-directional', async () => {
    const { map } = await monacoMap();
    const fwd = native.mapSection(map.handle, 'edge_duration_forward', 'u32');
    const bwd = native.mapSection(map.handle, 'edge_duration_backward', 'u32');
    const edges = edgesNamed(map, 'Boulevard Albert 1er');
    assert.ok(edges.length > 0, 'Boulevard Albert 1er (oneway=yes) is in the graph');
    const closed = 0xffffffff;
    for (const e of edges) {
      assert.ok((fwd[e] === closed) !== (bwd[e] === closed), `edge ${e} is open in exactly one direction`);
    }
    // A two-way street has both directions.
    const twoWay = edgesNamed(map, 'Boulevard de Suisse');
    assert.ok(twoWay.some((e) => fwd[e] !== closed && bwd[e] !== closed));
  });

  it('leaves footways out of the car graph', async () => {
    const { map } = await monacoMap();
    for (const name of ['Escalier des Fleurs', 'Chemin des Oeillets']) {
      assert.equal(edgesNamed(map, name).length, 0, `${name} (footway/steps) must not be in the car graph`);
    }
  });

  it('reads turn restrictions and maps them onto edges at their via node', async () => {
    const { result, map } = await monacoMap();
    assert.ok(result.import.restrictionsRead >= 40, `restrictions read ${result.import.restrictionsRead}`);
    assert.ok(map.header.counts.restrictions >= 30, `restrictions mapped ${map.header.counts.restrictions}`);
    const from = native.mapSection(map.handle, 'restriction_from', 'u32');
    const via = native.mapSection(map.handle, 'restriction_via', 'u32');
    const to = native.mapSection(map.handle, 'restriction_to', 'u32');
    const edgeFrom = native.mapSection(map.handle, 'edge_from', 'u32');
    const edgeTo = native.mapSection(map.handle, 'edge_to', 'u32');
    for (let i = 0; i < from.length; i++) {
      const touches = (e: number) => edgeFrom[e] === via[i] || edgeTo[e] === via[i];
      assert.ok(touches(from[i]) && touches(to[i]), `restriction ${i} edges meet at its via node`);
    }
  });

  it('round-trips through the file: header, sections and CLI info agree', async () => {
    const { result, map, path } = await monacoMap();
    assert.equal(map.header.counts.nodes, result.nodes);
    assert.equal(map.header.counts.edges, result.edges);
    assert.equal(map.header.fileBytes, result.fileBytes);
    assert.equal(native.mapSection(map.handle, 'node_lon', 'i32').length, result.nodes);
    assert.equal(native.mapSection(map.handle, 'edge_shape_first', 'u32').length, result.edges + 1);
    const again = openMapFile(path);
    assert.equal(again.header.checksum, map.header.checksum);
    const cli = runCli(['info', path]);
    assert.equal(cli.status, 0, cli.stderr);
    const info = JSON.parse(cli.stdout);
    assert.equal(info.checksum, map.header.checksum);
    assert.deepEqual(info.counts, map.header.counts);
  });

  it('contracts to the same hierarchy on 1 and on 2 threads (rounds are applied in parallel, each arc list in a fixed order)', async () => {
    const dir = tempDir();
    const maps = [];
    for (const threads of [1, 2]) {
      const output = join(dir, `monaco-${threads}.wmap`);
      await buildMapFromPbf({ input: dataPbf, output, profile: getProfile('car'), threads });
      maps.push(openMapFile(output));
    }
    const [one, two] = maps;
    assert.ok(one.header.counts.chArcs > one.header.counts.turns, `${one.header.counts.chArcs} CH arcs, some of them shortcuts`);
    for (const side of ['up', 'down']) {
      for (const part of ['first', 'head', 'weight', 'distance', 'middle']) {
        const name = `ch_${side}_${part}`;
        assert.deepEqual(native.mapSection(two.handle, name, 'u32'), native.mapSection(one.handle, name, 'u32'), name);
      }
    }
    assert.deepEqual(native.mapSection(two.handle, 'ch_rank', 'u32'), native.mapSection(one.handle, 'ch_rank', 'u32'));
  });
});

describe('map file validation', () => {
  function expectCode(path: string, code: string) {
    assert.throws(
      () => openMapFile(path),
      (err: unknown) => err instanceof WaymarkError && err.code === code,
      `expected ${code}`,
    );
  }

  it('rejects truncated, corrupted, foreign and newer-version files with the documented codes', async () => {
    const { path } = await monacoMap();
    const dir = tempDir();
    const bytes = readFileSync(path);

    const truncated = join(dir, 'truncated.wmap');
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 1000));
    expectCode(truncated, 'MapTruncated');
    const tiny = join(dir, 'tiny.wmap');
    writeFileSync(tiny, bytes.subarray(0, 100));
    expectCode(tiny, 'MapTruncated');

    const corrupt = join(dir, 'corrupt.wmap');
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 5000] ^= 0x40;
    writeFileSync(corrupt, flipped);
    expectCode(corrupt, 'MapCorrupt');

    const foreign = join(dir, 'foreign.wmap');
    copyFileSync(dataPbf, foreign);
    expectCode(foreign, 'MapNotWaymark');

    const newer = join(dir, 'newer.wmap');
    const bumped = Buffer.from(bytes);
    bumped.writeUInt32LE(bumped.readUInt32LE(8) + 1, 8);
    writeFileSync(newer, bumped);
    expectCode(newer, 'MapVersionUnsupported');

    expectCode(join(dir, 'missing.wmap'), 'MapNotFound');
  });

  it('the CLI reports a bad map with one line and a non-zero exit', async () => {
    const r = runCli(['info', join(repoRoot, 'package.json')]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr.trim(), /^waymark: .*not a Waymark map file \[MapNotWaymark\]$/);
  });
});

describe('waymark build: bad input', () => {
  function build(input: string, output: string) {
    return buildMapFromPbf({ input, output, profile: getProfile('car') });
  }
  async function rejectsWith(p: Promise<unknown>, code: string) {
    await assert.rejects(p, (err: unknown) => err instanceof WaymarkError && err.code === code);
  }

  it('fails clearly and leaves no partial output', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.wmap');
    await rejectsWith(build(join(dir, 'nope.osm.pbf'), out), 'InputNotFound');
    await rejectsWith(build(join(repoRoot, 'package.json'), out), 'NotPbf');
    await rejectsWith(build(join(fixtures, 'no-roads.osm.pbf'), out), 'NoRoads');
    await rejectsWith(build(dataPbf, join(dir, 'no-such-dir', 'out.wmap')), 'OutputNotWritable');
    await rejectsWith(build(dataPbf, dir), 'OutputNotWritable');
    assert.equal(existsSync(out), false);
    assert.deepEqual(readdirSync(dir), [], 'no temporary files left behind');
  });

  it('never replaces an output that is not a regular file, and -o for several profiles must be a directory', async () => {
    const dir = tempDir();
    // A FIFO stands in for /dev/full: renaming over it would replace the special file (as root, the device).
    const fifo = join(dir, 'pipe.wmap');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    await rejectsWith(build(dataPbf, fifo), 'OutputNotWritable');
    assert.ok(lstatSync(fifo).isFIFO(), 'the FIFO is still a FIFO');
    const cli = runCli(['build', dataPbf, '-o', fifo]);
    assert.equal(cli.status, 1);
    assert.match(cli.stderr, /not a regular file.*\[OutputNotWritable\]/);
    // Several profiles and a .wmap name (or an existing file): refused, no directory named one.wmap.
    const one = join(dir, 'one.wmap');
    const several = runCli(['build', dataPbf, '-p', 'car,bike', '-o', one]);
    assert.equal(several.status, 1);
    assert.match(several.stderr, /give a directory.*\[OutputNotWritable\]/);
    assert.equal(existsSync(one), false);
    writeFileSync(one, 'x');
    assert.match(runCli(['build', dataPbf, '-p', 'car,bike', '-o', one]).stderr, /must be a directory.*\[OutputNotWritable\]/);
    assert.deepEqual(readdirSync(dir).sort(), ['one.wmap', 'pipe.wmap']);
  });

  it('the CLI exits non-zero with one clear line', () => {
    const r = runCli(['build', join(fixtures, 'no-roads.osm.pbf'), '-o', join(tempDir(), 'x.wmap')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr.trim().split('\n').pop() ?? '', /^waymark: .*no roads.*\[NoRoads\]$/);
  });
});
