import type { Command } from 'commander';
import { benchBuild } from '../../bench/build.js';

export function registerBench(program: Command): void {
  const bench = program.command('bench').description('benchmarks that print figures (never pass/fail)');
  bench
    .command('build')
    .description('import each PBF and print seconds, peak RSS, graph size and file bytes per node')
    .argument('<pbf...>', 'OSM PBF files')
    .option('--json', 'print one JSON object')
    .action((pbfs: string[], opts: { json?: boolean }) => benchBuild(pbfs, Boolean(opts.json)));
}
