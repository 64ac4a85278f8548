import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { buildMapsFromPbf } from '../build/build-map.js';
import { createProgress } from '../build/progress.js';
import { getProfile } from '../profiles/index.js';
import { printJson } from './output.js';

/** -o names a file for one profile; for several (or an existing directory) a directory of <name>.<profile>.wmap. */
export function outputsFor(input: string, output: string, profiles: string[]): string[] {
  const asDirectory = profiles.length > 1 || (existsSync(output) && statSync(output).isDirectory());
  if (!asDirectory) return [output];
  mkdirSync(output, { recursive: true });
  const stem = basename(input).replace(/\.osm\.pbf$|\.pbf$/, '');
  return profiles.map((p) => join(output, `${stem}.${p}.wmap`));
}

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('import an OSM PBF file into routable map files (one osmium pass for every profile)')
    .argument('<input>', 'OpenStreetMap .osm.pbf file')
    .requiredOption('-o, --output <file-or-dir>', 'map file to write (.wmap), or a directory for several profiles')
    .option('-p, --profile <names>', 'routing profiles, comma-separated (car, bike, foot)', 'car')
    .option('--threads <n>', 'worker threads for preprocessing (0 = all cores)', '0')
    .option('--keep-all-components', 'keep every part of the road network, not only the largest connected one (small test networks)')
    .action(async (input: string, opts: { output: string; profile: string; threads: string; keepAllComponents?: boolean }) => {
      const names = opts.profile.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
      const profiles = names.map(getProfile);
      const outputs = outputsFor(input, opts.output, names);
      const results = await buildMapsFromPbf({
        input,
        targets: profiles.map((profile, i) => ({ profile, output: outputs[i] })),
        progress: createProgress('build'),
        threads: Number(opts.threads),
        keepAllComponents: opts.keepAllComponents === true,
      });
      printJson(results.length === 1 ? results[0] : results);
    });
}
