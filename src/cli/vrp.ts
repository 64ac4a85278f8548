import { readFileSync } from 'node:fs';
import { parseJsonText } from '../server/request-parsing.js';
import type { Command } from 'commander';
import { WaymarkError } from '../errors.js';
import { openMapFile } from '../maps/open.js';
import type { MapHandle } from '../native/index.js';
import { addGeometry } from '../vrp/geometry.js';
import { solveVroom } from '../vrp/solve.js';
import { printJson } from './output.js';

export function registerVrp(program: Command): void {
  program
    .command('vrp')
    .description('solve a VROOM-format vehicle routing problem and print the VROOM-format solution')
    .argument('<problem>', 'problem JSON file')
    .option('--map <map>', 'map file: computes the matrix from coordinates and enables --geometry')
    .option('--time-limit <s>', 'seconds of search', '5')
    .option('--seed <n>', 'random seed', '1')
    .option('--threads <n>', 'search threads (0 = all cores)', '0')
    .option('--geometry', 'add each route geometry (polyline) from the map')
    .action((file: string, opts: { map?: string; timeLimit: string; seed: string; threads: string; geometry?: boolean }) => {
      let problem: unknown;
      try {
        problem = parseJsonText(readFileSync(file, 'utf8'), file);
      } catch (err) {
        throw new WaymarkError('InvalidInput', `cannot read ${file} as JSON: ${(err as Error).message}`);
      }
      const timeLimit = Number(opts.timeLimit);
      if (!(timeLimit >= 0)) throw new WaymarkError('InvalidValue', '--time-limit must be a number of seconds');
      const maps: Record<string, MapHandle> = {};
      if (opts.map) {
        const m = openMapFile(opts.map);
        maps[m.header.profile] = m.handle;
      }
      const { solution, model } = solveVroom(problem, { timeLimit, seed: Number(opts.seed), threads: Number(opts.threads), maps });
      if (opts.geometry) {
        if (!opts.map) throw new WaymarkError('InvalidValue', '--geometry needs --map');
        addGeometry(solution, model, maps);
      }
      printJson(solution);
    });
}
