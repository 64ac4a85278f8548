import type { Command } from 'commander';
import { buildMapFromPbf } from '../build/build-map.js';
import { createProgress } from '../build/progress.js';
import { getProfile } from '../profiles/index.js';
import { printJson } from './output.js';

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('import an OSM PBF file into a routable map file')
    .argument('<input>', 'OpenStreetMap .osm.pbf file')
    .requiredOption('-o, --output <file>', 'map file to write (.wmap)')
    .option('-p, --profile <name>', 'routing profile', 'car')
    .option('--threads <n>', 'worker threads for preprocessing (0 = all cores)', '0')
    .action(async (input: string, opts: { output: string; profile: string; threads: string }) => {
      const profile = getProfile(opts.profile);
      const result = await buildMapFromPbf({
        input,
        output: opts.output,
        profile,
        progress: createProgress('build'),
        threads: Number(opts.threads),
      });
      printJson(result);
    });
}
