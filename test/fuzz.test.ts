/**
 * The libFuzzer targets in fuzz/ (ASan + UBSan), each for a fixed number of executions from seed
 * corpora made of the bundled data plus the committed regression inputs: any crash, sanitizer report
 * or leak fails. `waymark bench fuzz --seconds 60` runs them longer.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildFuzzers, FUZZ_TARGETS, runFuzzer, seedCorpora, type FuzzTarget } from '../bench/fuzz.js';
import { tempDir } from './helpers.js';

const RUNS: Record<FuzzTarget, number> = { opl_collector_fuzz: 4000, map_loader_fuzz: 150, vrp_model_fuzz: 3000, snap_route_fuzz: 4000 };

describe('fuzzing (libFuzzer, ASan + UBSan)', () => {
  let bin: string;
  let seeds: Awaited<ReturnType<typeof seedCorpora>>;
  before(async () => {
    bin = buildFuzzers();
    seeds = await seedCorpora(tempDir('waymark-test-fuzz-'));
  });

  for (const target of FUZZ_TARGETS) {
    it(`${target}: ${RUNS[target]} executions without a crash, leak or undefined behaviour`, () => {
      const run = runFuzzer(bin, target, seeds.corpus[target], seeds.map, { runs: RUNS[target] });
      assert.equal(run.crashes, 0, `${target} found a crash:\n${run.report}`);
      assert.equal(run.exitCode, 0);
      assert.ok(run.executions >= RUNS[target], `${run.executions} executions`);
      assert.ok(run.coverage > 50, `coverage ${run.coverage} edges: the target reaches the code`);
    });
  }
});
