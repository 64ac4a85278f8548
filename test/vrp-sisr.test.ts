/**
 * SISR's ruin (native/vrp/algorithms/sisr.cc), string and split-string removal: with
 * verifyFastPath the ruin checks itself after every string (a split string's kept tasks are still
 * in their route unless they are the partner of a removed task; no shipment is left half in a
 * route; split strings do occur) and throws Internal otherwise; the solutions pass the independent
 * checker on a CVRP, time windows and shipments.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readInstance } from '../bench/vrp-instances.js';
import { checkSolution } from '../src/vrp/checker.js';
import { solveVroom } from '../src/vrp/solve.js';

const fixtures = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'test', 'fixtures', 'vrp');

describe('VRP SISR string removals', () => {
  for (const [name, bks] of [['X-n101-k25.vrp', 27_591], ['RC105.txt', 1518.58], ['lr104.txt', 1013.39]] as const) {
    it(`${name}: the split-string self-checks hold, the solution is checker-clean and near the best-known`, () => {
      const inst = readInstance(join(fixtures, name));
      // One thread, SISR only, an iteration cap: the same answer on any machine.
      const result = solveVroom(inst.problem, { search: 'sisr', seed: 3, threads: 1, timeLimit: 600, maxIterations: 4_000, verifyFastPath: true });
      assert.deepEqual(checkSolution(result.model, result.solution), []);
      assert.equal(result.solution.summary.unassigned, 0);
      const cost = inst.cost(result.solution);
      assert.ok(cost >= bks * 0.9999 && cost <= bks * 1.1, `${name}: ${cost.toFixed(2)} vs best-known ${bks}`);
    });
  }
});
