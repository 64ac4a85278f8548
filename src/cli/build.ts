import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { buildMapsFromPbf, type DrivingSideOption } from '../build/build-map.js';
import { createProgress } from '../build/progress.js';
import { getProfile } from '../profiles/index.js';
import { WaymarkError } from '../errors.js';
import { printJson } from './output.js';

/**
 * Where -o puts the maps. One profile: -o is the file (or, when it is an existing directory, the
 * directory that receives <name>.<profile>.wmap). Several profiles: -o must be a directory, existing
 * or created; a name ending in .wmap or an existing non-directory is refused rather than silently
 * becoming a directory of that name.
 */
export function outputsFor(input: string, output: string, profiles: string[]): string[] {
  const exists = existsSync(output);
  const isDirectory = exists && statSync(output).isDirectory();
  if (exists && !isDirectory && !statSync(output).isFile()) {
    throw new WaymarkError('OutputNotWritable', `output ${output} exists and is not a regular file or a directory`);
  }
  if (profiles.length > 1 && !isDirectory) {
    if (exists) throw new WaymarkError('OutputNotWritable', `${profiles.length} profiles write one map each: -o must be a directory, and ${output} is a file`);
    if (/\.wmap$/i.test(output)) throw new WaymarkError('OutputNotWritable', `${profiles.length} profiles write one map each: give a directory for -o, not the file name ${output}`);
  }
  if (profiles.length === 1 && !isDirectory) return [output];
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
    .option('--driving-side <side>', "left, right or auto: the side traffic keeps to (auto: the country most of the extract's roads lie in)", 'auto')
    .action(async (input: string, opts: { output: string; profile: string; threads: string; keepAllComponents?: boolean; drivingSide: string }) => {
      const names = opts.profile.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
      const profiles = names.map(getProfile);
      const outputs = outputsFor(input, opts.output, names);
      const results = await buildMapsFromPbf({
        input,
        targets: profiles.map((profile, i) => ({ profile, output: outputs[i] })),
        progress: createProgress('build'),
        threads: Number(opts.threads),
        keepAllComponents: opts.keepAllComponents === true,
        drivingSide: opts.drivingSide as DrivingSideOption,
      });
      printJson(results.length === 1 ? results[0] : results);
    });
}
