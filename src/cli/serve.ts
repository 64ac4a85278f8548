import type { Command } from 'commander';
import { WaymarkError } from '../errors.js';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBundledMaps } from '../maps/bundled.js';
import { openMapFile } from '../maps/open.js';
import { defaultConfig, type ServerConfig } from '../server/config.js';
import { serve } from '../server/serve.js';

interface ServeOptions {
  host: string;
  port: string;
  workers?: string;
  maxQueue?: string;
  timeout?: string;
  bodyLimit?: string;
  maxMatrixCells?: string;
  maxAnswerBytes?: string;
  dataDir?: string;
  maxSolves?: string;
  watch?: boolean;
}

function intOption(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new WaymarkError('InvalidValue', `--${name} must be an integer >= ${min}`);
  return n;
}

/** Map files from the arguments: files as given, directories for every .wmap inside; keyed by profile. */
export function mapsFromPaths(paths: string[]): Record<string, string> {
  const maps: Record<string, string> = {};
  const files = paths.flatMap((p) =>
    statSync(p, { throwIfNoEntry: false })?.isDirectory()
      ? readdirSync(p).filter((f) => f.endsWith('.wmap')).sort().map((f) => join(p, f))
      : [p],
  );
  for (const file of files) {
    const header = openMapFile(file).header; // fail fast on a bad map, before listening
    if (maps[header.profile]) throw new WaymarkError('InvalidValue', `two maps for profile '${header.profile}': ${maps[header.profile]} and ${file}`);
    maps[header.profile] = file;
  }
  if (Object.keys(maps).length === 0) throw new WaymarkError('MapNotFound', `no map files in ${paths.join(', ')}`);
  return maps;
}

export function configFromOptions(mapPaths: string[], opts: ServeOptions): ServerConfig {
  const config = defaultConfig(mapsFromPaths(mapPaths));
  config.host = opts.host;
  config.port = intOption(opts.port, 'port', 0) ?? config.port;
  config.workers = intOption(opts.workers, 'workers', 1) ?? config.workers;
  config.maxQueue = intOption(opts.maxQueue, 'max-queue', 1) ?? config.workers * 64;
  config.requestTimeoutMs = intOption(opts.timeout, 'timeout', 1) ?? config.requestTimeoutMs;
  config.bodyLimitBytes = intOption(opts.bodyLimit, 'body-limit', 1024) ?? config.bodyLimitBytes;
  config.maxMatrixCells = intOption(opts.maxMatrixCells, 'max-matrix-cells', 1) ?? config.maxMatrixCells;
  config.maxAnswerBytes = intOption(opts.maxAnswerBytes, 'max-answer-bytes', 1024) ?? config.maxAnswerBytes;
  config.dataDir = opts.dataDir ?? config.dataDir;
  config.maxConcurrentSolves = intOption(opts.maxSolves, 'max-solves', 1) ?? config.maxConcurrentSolves;
  config.watch = Boolean(opts.watch);
  return config;
}

function addServeOptions(cmd: Command): Command {
  return cmd
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port', '5000')
    .option('--workers <n>', 'worker threads (default: cores)')
    .option('--max-queue <n>', 'queued tasks before 503 (default: 64 per worker)')
    .option('--timeout <ms>', 'per-request time limit in ms (504 past it)', '30000')
    .option('--body-limit <bytes>', 'largest request body (413 past it)')
    .option('--max-matrix-cells <n>', 'largest matrix (TooBig past it)')
    .option('--max-answer-bytes <n>', 'largest matrix answer in bytes of JSON (TooBig past it; default 128 MiB)')
    .option('--data-dir <dir>', 'where VRP jobs are kept (default: $WAYMARK_DATA_DIR or ./waymark-data)')
    .option('--max-solves <n>', 'VRP solves at once (default: cores)')
    .option('--watch', 'reload a map when its file is replaced (also: SIGHUP, POST /admin/reload with WAYMARK_ADMIN_TOKEN)');
}

export function registerServe(program: Command): void {
  addServeOptions(
    program.command('serve').description('serve maps over HTTP, one per profile').argument('<maps...>', 'map files (.wmap) or directories of them'),
  ).action(async (mapPaths: string[], opts: ServeOptions) => {
    await serve(configFromOptions(mapPaths, opts));
  });
}

export function registerStart(program: Command): void {
  addServeOptions(program.command('start').description('build the bundled car, bike and foot maps if needed, then serve them (what `npm start` runs)')).action(
    async (opts: ServeOptions) => {
      const maps = await ensureBundledMaps();
      await serve(configFromOptions(maps.map((m) => m.header.path), opts));
    },
  );
}
