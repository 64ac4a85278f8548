import { readFileSync } from 'node:fs';
import { parseJsonText } from '../server/request-parsing.js';
import type { Command } from 'commander';
import { WaymarkError } from '../errors.js';
import { openMapFile } from '../maps/open.js';
import type { MapHandle } from '../native/index.js';
import { addGeometry } from '../vrp/geometry.js';
import { modeOf, snapOptionsOf, solveVroom } from '../vrp/solve.js';
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
    .option('-c, --plan', "plan mode (VROOM's -c): the vehicles' steps are the routes; print ETAs, loads and violations without optimising")
    .option('--snap-radius <metres>', 'snapping radius for locations, or unlimited (default: options.snap_radius of the problem, else unlimited)')
    .option('--snap-threshold <metres>', 'count snaps farther than this in summary.snapping (default: options.snap_threshold, else 100)')
    .action((file: string, opts: { map?: string; timeLimit: string; seed: string; threads: string; geometry?: boolean; plan?: boolean; snapRadius?: string; snapThreshold?: string }) => {
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
      // Snapping options: the problem's own `options` (as POST /vrp takes them), overridden by the flags.
      const fileOptions = typeof problem === 'object' && problem !== null ? (problem as { options?: unknown }).options : undefined;
      const snap = snapOptionsOf({
        ...(typeof fileOptions === 'object' && fileOptions !== null ? (fileOptions as Record<string, unknown>) : {}),
        ...(opts.snapRadius !== undefined ? { snap_radius: opts.snapRadius === 'unlimited' ? 'unlimited' : Number(opts.snapRadius) } : {}),
        ...(opts.snapThreshold !== undefined ? { snap_threshold: Number(opts.snapThreshold) } : {}),
      });
      const fileOpts = typeof fileOptions === 'object' && fileOptions !== null ? (fileOptions as Record<string, unknown>) : undefined;
      const mode = opts.plan ? 'plan' : modeOf(fileOpts);
      const { solution, model } = solveVroom(problem, { timeLimit, seed: Number(opts.seed), threads: Number(opts.threads), maps, mode, ...snap });
      if (opts.geometry) {
        if (!opts.map) throw new WaymarkError('InvalidValue', '--geometry needs --map');
        addGeometry(solution, model, maps);
      }
      printJson(solution);
    });
}
