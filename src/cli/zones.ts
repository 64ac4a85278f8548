/** `waymark zones <map> --resolution 8 [--bbox w,s,e,n | --cells file | --polygon file] -o zones.json`: an H3 zone matrix for batch jobs. */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createProgress } from '../build/progress.js';
import { WaymarkError } from '../errors.js';
import { openMapFile } from '../maps/open.js';
import { defaultZoneSamples, zoneMatrixOnMap, type ZoneArea, type ZoneStatistic } from '../zones/zones.js';
import { printJson } from './output.js';

interface ZonesOptions {
  resolution: string;
  bbox?: string;
  cells?: string;
  polygon?: string;
  statistic: string;
  samples: string;
  output?: string;
}

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new WaymarkError('InvalidInput', `cannot read ${what} from ${file}: ${(err as Error).message}`);
  }
}

function integer(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n)) throw new WaymarkError('InvalidValue', `${what} must be an integer, not '${text}'`);
  return n;
}

export function registerZones(program: Command): void {
  program
    .command('zones')
    .description('H3 cell-to-cell travel-time matrix (format waymark-zones/1, see README) for surge pricing and dispatch jobs')
    .argument('<map>', 'map file (.wmap)')
    .requiredOption('--resolution <r>', 'H3 resolution (0-15)')
    .option('--bbox <w,s,e,n>', 'cells whose centres lie in this box (default: the map bbox)')
    .option('--cells <file>', 'JSON array of H3 cells at the resolution')
    .option('--polygon <file>', 'GeoJSON Polygon or MultiPolygon (or a Feature of one)')
    .option('--statistic <s>', 'median, p90 or min over the sample pairs of two cells', 'median')
    .option('--samples <n>', 'representative road points per cell (1-49)', String(defaultZoneSamples))
    .option('-o, --output <file>', 'write the matrix here (default: stdout)')
    .action((mapPath: string, opts: ZonesOptions) => {
      const map = openMapFile(mapPath);
      const resolution = integer(opts.resolution, '--resolution');
      if ([opts.bbox, opts.cells, opts.polygon].filter((x) => x !== undefined).length > 1) throw new WaymarkError('InvalidValue', 'give at most one of --bbox, --cells or --polygon');
      if (!['median', 'p90', 'min'].includes(opts.statistic)) throw new WaymarkError('InvalidValue', `--statistic must be median, p90 or min, not '${opts.statistic}'`);
      let area: ZoneArea;
      if (opts.cells !== undefined) {
        const cells = readJson(opts.cells, 'cells');
        if (!Array.isArray(cells)) throw new WaymarkError('InvalidInput', `${opts.cells} must hold a JSON array of H3 cells`);
        area = { resolution, cells: cells as string[] };
      } else if (opts.polygon !== undefined) {
        area = { resolution, polygon: readJson(opts.polygon, 'a polygon') as ZoneArea['polygon'] };
      } else {
        const bbox = opts.bbox === undefined ? map.header.bbox : opts.bbox.split(',').map(Number);
        if (bbox.length !== 4 || bbox.some((x) => !Number.isFinite(x))) throw new WaymarkError('InvalidValue', '--bbox takes west,south,east,north in degrees');
        area = { resolution, bbox: bbox as [number, number, number, number] };
      }
      const progress = createProgress('zones');
      const started = performance.now();
      let result;
      try {
        result = zoneMatrixOnMap(map.handle, area, { statistic: opts.statistic as ZoneStatistic, samples: integer(opts.samples, '--samples') }, (step, done, total) =>
          progress.update(step, done, total),
        );
      } finally {
        progress.stop();
      }
      const seconds = (performance.now() - started) / 1000;
      const output = { ...result, profile: map.header.profile, map_version: map.header.checksum, generated_at: new Date().toISOString() };
      if (opts.output === undefined) {
        printJson(output);
        return;
      }
      // Written beside the target and renamed into place: a reader never sees half a file.
      const tmp = `${opts.output}.tmp-${process.pid}`;
      writeFileSync(tmp, JSON.stringify(output) + '\n');
      renameSync(tmp, opts.output);
      printJson({
        output: opts.output,
        resolution,
        cells: result.cells.length,
        roadless: result.roadless.length,
        samples: result.points.reduce((n, p) => n + p.length, 0),
        seconds: Math.round(seconds * 100) / 100,
      });
    });
}
