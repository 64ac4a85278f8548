/**
 * LeakSanitizer on the import pipeline and the VRP solver (issue 21): the native driver of
 * bench/leak-check.ts builds the bundled extract from osmium's OPL with the car profile, queries it
 * and solves a VRP, under ASan + LSan in a process of its own. Clean means exit 0 and no report; a
 * leak planted on purpose must be reported, or the check proves nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runLeakCheck } from '../bench/leak-check.js';
import { monacoMap } from './helpers.js';

describe('LeakSanitizer: import pipeline and VRP solver', () => {
  it('a full build of the bundled extract, queries and a two-thread VRP solve leak nothing', async () => {
    const r = await runLeakCheck('car');
    assert.equal(r.report, undefined, r.report);
    assert.equal(r.exitCode, 0, r.output);
    assert.equal(r.leaks, 0);
    const { result } = await monacoMap();
    assert.ok(r.output.includes(`: ${result.nodes} nodes, ${result.edges} edges, ${result.restrictions} restrictions`), `the same map as the addon builds:\n${r.output}`);
    assert.match(r.output, /VRP of \d+ tasks: \d+ served/);
  });

  it('a planted leak is reported (LSan is watching)', async () => {
    const r = await runLeakCheck('car', { plantLeak: true });
    assert.equal(r.exitCode, 23, r.output);
    assert.equal(r.leaks, 1);
    assert.match(r.report ?? '', /Direct leak of 4242 byte/);
  });
});
