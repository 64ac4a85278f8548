/** Every subcommand that takes coordinates accepts negative ones as typed (western longitudes, southern latitudes). */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { native } from '../src/native/index.js';
import { repoRoot, runCli, tempDir } from './helpers.js';
import { buildScenarioMap, nodeLonLat, parseScenarios } from './scenario-harness.js';

const dir = tempDir('waymark-test-cli-coords-');
after(() => rmSync(dir, { recursive: true, force: true }));

describe('command line coordinates', () => {
  it('waymark route takes western longitudes and southern latitudes without --', async () => {
    const [scenario] = parseScenarios(join(repoRoot, 'test', 'scenarios', 'hemispheres.txt')).filter((s) => s.title.includes('Buenos Aires'));
    const map = await buildScenarioMap(scenario, dir, 0);
    native.releaseMap(map.handle);
    const mapPath = join(dir, 'scenario-0.wmap');
    const [s, e] = [nodeLonLat(scenario, 's'), nodeLonLat(scenario, 'e')];
    assert.ok(s[0] < 0 && s[1] < 0, 'the scenario lies west and south');
    const r = runCli(['route', mapPath, `${s[0]},${s[1]}`, `${e[0]},${e[1]}`, '--radius', '50', '--geometry', 'none']);
    assert.equal(r.status, 0, r.stderr);
    const route = JSON.parse(r.stdout) as { legs: { names: string[] }[]; waypoints: { location: [number, number] }[] };
    assert.deepEqual(route.legs[0].names, ['sj', 'je']);
    assert.ok(route.waypoints[0].location[0] < 0 && route.waypoints[0].location[1] < 0);
    // Options may still come anywhere, and a real unknown option is still refused.
    const before = runCli(['route', '--radius', '50', mapPath, `${s[0]},${s[1]}`, `${e[0]},${e[1]}`]);
    assert.equal(before.status, 0, before.stderr);
    const unknown = runCli(['route', mapPath, `${s[0]},${s[1]}`, `${e[0]},${e[1]}`, '--bogus']);
    assert.notEqual(unknown.status, 0);
    assert.match(unknown.stderr, /unknown option '--bogus'/);
  });
});
