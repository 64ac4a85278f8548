/** Runs every hand-drawn scenario in test/scenarios/ through osmium, the real build and the real query path. */
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { native } from '../src/native/index.js';
import { repoRoot, tempDir } from './helpers.js';
import { buildScenarioMap, parseScenarios, routeScenario, type Scenario } from './scenario-harness.js';

const scenarioDir = join(repoRoot, 'test', 'scenarios');
const files = readdirSync(scenarioDir)
  .filter((f) => f.endsWith('.txt'))
  .sort();
const dir = tempDir('waymark-test-scenarios-');
after(() => rmSync(dir, { recursive: true, force: true }));

const tally = new Map<string, { scenarios: number; routes: number }>();
let counter = 0;

function describeRoute(s: Scenario, r: Scenario['routes'][number]): string {
  return `${r.waypoints.join(' ')} -> ${r.expected ? r.expected.join(',') : 'none'} (${s.file.split('/').pop()}:${r.line})`;
}

for (const file of files) {
  const category = file.replace(/\.txt$/, '');
  const scenarios = parseScenarios(join(scenarioDir, file));
  describe(`scenarios: ${category}`, () => {
    for (const s of scenarios) {
      it(s.title, async () => {
        assert.ok(s.routes.length > 0, `${s.file}:${s.line} has no routes to check`);
        const map = await buildScenarioMap(s, dir, counter++);
        try {
          for (const r of s.routes) {
            const got = routeScenario(s, map, r);
            const what = describeRoute(s, r);
            if (r.expected === null) {
              assert.equal(got.names, null, `${what}: expected no route, got ${got.names?.join(',')} (${got.duration} s)`);
              continue;
            }
            assert.notEqual(got.names, null, `${what}: expected a route, got ${got.error}`);
            assert.deepEqual(got.names, r.expected, `${what}: got ${got.names?.join(',')}`);
            if (r.time) {
              assert.ok(Math.abs(got.duration - r.time.seconds) <= r.time.tolerance, `${what}: duration ${got.duration} s, expected ${r.time.seconds}~${r.time.tolerance}`);
            }
            if (r.distance) {
              assert.ok(Math.abs(got.distance - r.distance.metres) <= r.distance.tolerance, `${what}: distance ${got.distance} m, expected ${r.distance.metres}~${r.distance.tolerance}`);
            }
          }
        } finally {
          native.releaseMap(map.handle);
        }
        const t = tally.get(category) ?? { scenarios: 0, routes: 0 };
        t.scenarios++;
        t.routes += s.routes.length;
        tally.set(category, t);
      });
    }
  });
}

after(() => {
  const rows = [...tally.entries()].map(([c, t]) => `${c}: ${t.scenarios} scenarios, ${t.routes} routes passed`);
  process.stdout.write(`# scenario tally\n${rows.map((r) => `#   ${r}`).join('\n')}\n`);
});
