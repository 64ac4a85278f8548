import { readFileSync } from 'node:fs';
import { parseJsonText } from '../server/request-parsing.js';
import type { Command } from 'commander';
import { WaymarkError } from '../errors.js';
import { openMapFile } from '../maps/open.js';
import { native } from '../native/index.js';
import { matrixOnMap } from '../routing/matrix.js';
import type { LonLat } from '../routing/route.js';
import { printJson } from './output.js';

function readPoints(file: string): LonLat[] {
  let data: unknown;
  try {
    data = parseJsonText(readFileSync(file, 'utf8'), file);
  } catch (err) {
    throw new WaymarkError('InvalidInput', `cannot read points from ${file}: ${(err as Error).message}`);
  }
  const list = Array.isArray(data) ? data : (data as { coordinates?: unknown })?.coordinates;
  if (!Array.isArray(list) || !list.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'number'))) {
    throw new WaymarkError('InvalidInput', `${file} must hold a JSON array of [lon, lat] pairs`);
  }
  return list as LonLat[];
}

function indices(text: string | undefined, count: number, what: string): number[] | undefined {
  if (text === undefined) return undefined;
  const out = text.split(',').map((s) => Number(s));
  for (const i of out) {
    if (!Number.isInteger(i) || i < 0 || i >= count) throw new WaymarkError('InvalidValue', `--${what}: ${i} is not an index into the ${count} points`);
  }
  return out;
}

export function registerMatrix(program: Command): void {
  program
    .command('matrix')
    .description('travel time and distance matrix (OSRM table shape with --json)')
    .argument('<map>', 'map file (.wmap)')
    .option('--points <file>', 'JSON file with an array of [lon, lat]')
    .option('--random <n>', 'n random points on routable roads of the map')
    .option('--seed <s>', 'seed for --random', '1')
    .option('--sources <i,j,...>', 'indices of the points used as sources (default: all)')
    .option('--destinations <i,j,...>', 'indices of the points used as destinations (default: all)')
    .option('--max-cells <n>', 'refuse larger matrices (TooBig)', '25000000')
    .option('--json', 'print the matrix as JSON')
    .action((mapPath: string, opts: { points?: string; random?: string; seed: string; sources?: string; destinations?: string; maxCells: string; json?: boolean }) => {
      const map = openMapFile(mapPath);
      if ((opts.points === undefined) === (opts.random === undefined)) {
        throw new WaymarkError('InvalidValue', 'give exactly one of --points <file> or --random <n>');
      }
      let points: LonLat[];
      if (opts.points !== undefined) {
        points = readPoints(opts.points);
      } else {
        const n = Number(opts.random);
        if (!Number.isInteger(n) || n < 1) throw new WaymarkError('InvalidValue', '--random takes a positive integer');
        const flat = native.randomRoadPoints(map.handle, n, Number(opts.seed));
        points = [];
        for (let i = 0; i < n; i++) points.push([flat[2 * i], flat[2 * i + 1]]);
      }
      const src = indices(opts.sources, points.length, 'sources');
      const dst = indices(opts.destinations, points.length, 'destinations');
      const started = performance.now();
      const result = matrixOnMap(map.handle, {
        sources: src ? src.map((i) => points[i]) : points,
        destinations: dst ? dst.map((i) => points[i]) : src ? points : undefined,
        maxCells: Number(opts.maxCells),
      });
      const ms = performance.now() - started;
      if (opts.json) {
        printJson(result);
      } else {
        const rows = result.durations?.length ?? 0;
        const cols = result.durations?.[0]?.length ?? 0;
        const unreachable = result.durations?.reduce((n, row) => n + row.filter((x) => x === null).length, 0) ?? 0;
        process.stdout.write(`${rows} x ${cols} matrix in ${ms.toFixed(1)} ms (${((rows * cols) / (ms / 1000) / 1e6).toFixed(2)} M cells/s), ${unreachable} unreachable cells\n`);
      }
    });
}
