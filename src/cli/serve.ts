import type { Command } from 'commander';
import { WaymarkError } from '../errors.js';
import { ensureBundledMap } from '../maps/bundled.js';
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
  dataDir?: string;
  maxSolves?: string;
}

function intOption(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new WaymarkError('InvalidValue', `--${name} must be an integer >= ${min}`);
  return n;
}

export function configFromOptions(mapPath: string, opts: ServeOptions): ServerConfig {
  const header = openMapFile(mapPath).header; // fail fast on a bad map, before listening
  const config = defaultConfig({ [header.profile]: mapPath });
  config.host = opts.host;
  config.port = intOption(opts.port, 'port', 0) ?? config.port;
  config.workers = intOption(opts.workers, 'workers', 1) ?? config.workers;
  config.maxQueue = intOption(opts.maxQueue, 'max-queue', 1) ?? config.workers * 64;
  config.requestTimeoutMs = intOption(opts.timeout, 'timeout', 1) ?? config.requestTimeoutMs;
  config.bodyLimitBytes = intOption(opts.bodyLimit, 'body-limit', 1024) ?? config.bodyLimitBytes;
  config.maxMatrixCells = intOption(opts.maxMatrixCells, 'max-matrix-cells', 1) ?? config.maxMatrixCells;
  config.dataDir = opts.dataDir ?? config.dataDir;
  config.maxConcurrentSolves = intOption(opts.maxSolves, 'max-solves', 1) ?? config.maxConcurrentSolves;
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
    .option('--data-dir <dir>', 'where VRP jobs are kept (default: $WAYMARK_DATA_DIR or ./waymark-data)')
    .option('--max-solves <n>', 'VRP solves at once (default: cores)');
}

export function registerServe(program: Command): void {
  addServeOptions(program.command('serve').description('serve a map over HTTP').argument('<map>', 'map file (.wmap)')).action(
    async (mapPath: string, opts: ServeOptions) => {
      await serve(configFromOptions(mapPath, opts));
    },
  );
}

export function registerStart(program: Command): void {
  addServeOptions(program.command('start').description('build the bundled map if needed, then serve it (what `npm start` runs)')).action(
    async (opts: ServeOptions) => {
      const map = await ensureBundledMap();
      await serve(configFromOptions(map.header.path, opts));
    },
  );
}
