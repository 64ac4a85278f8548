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
  maxMatchPoints?: string;
  maxTripPoints?: string;
  tripTimeLimit?: string;
  maxAnswerBytes?: string;
  dataDir?: string;
  jobs?: string;
  jobLease?: string;
  jobNotify?: boolean;
  maxSolves?: string;
  watch?: boolean;
  inlineMaxSegments?: string;
  traffic?: string[];
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
  config.maxMatchCoordinates = intOption(opts.maxMatchPoints, 'max-match-points', 2) ?? config.maxMatchCoordinates;
  config.maxTripCoordinates = intOption(opts.maxTripPoints, 'max-trip-points', 2) ?? config.maxTripCoordinates;
  if (opts.tripTimeLimit !== undefined) {
    const s = Number(opts.tripTimeLimit);
    if (!(s > 0 && s <= 600)) throw new WaymarkError('InvalidValue', '--trip-time-limit must be a number of seconds in (0, 600]');
    config.tripTimeLimit = s;
  }
  config.maxAnswerBytes = intOption(opts.maxAnswerBytes, 'max-answer-bytes', 1024) ?? config.maxAnswerBytes;
  config.dataDir = opts.dataDir ?? config.dataDir;
  const jobsUrl = opts.jobs ?? config.jobsUrl;
  if (jobsUrl !== undefined) {
    if (!/^postgres(ql)?:\/\/./.test(jobsUrl)) throw new WaymarkError('InvalidValue', '--jobs (WAYMARK_JOBS_URL) must be a postgres:// or postgresql:// URL');
    config.jobsUrl = jobsUrl;
  }
  config.jobLeaseMs = intOption(opts.jobLease, 'job-lease', 100) ?? config.jobLeaseMs;
  config.jobNotify = opts.jobNotify !== false;
  if (!config.jobNotify && config.jobsUrl === undefined) throw new WaymarkError('InvalidValue', '--no-job-notify applies to the PostgreSQL job store: give --jobs (or WAYMARK_JOBS_URL)');
  config.maxConcurrentSolves = intOption(opts.maxSolves, 'max-solves', 1) ?? config.maxConcurrentSolves;
  config.watch = Boolean(opts.watch);
  config.trafficFiles = opts.traffic ?? [];
  config.inlineMaxSegments = intOption(opts.inlineMaxSegments, 'inline-max-segments', 0) ?? config.inlineMaxSegments;
  if (!Number.isInteger(config.inlineMaxSegments) || config.inlineMaxSegments < 0) throw new WaymarkError('InvalidValue', 'WAYMARK_INLINE_MAX_SEGMENTS must be an integer >= 0');
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
    .option('--max-match-points <n>', 'most points in one /match trace (TooBig past it; default 2000)')
    .option('--max-trip-points <n>', 'most points in one /trip (TooBig past it; default 250)')
    .option('--trip-time-limit <s>', 'seconds of search per trip beyond 12 points (default 1)')
    .option('--max-answer-bytes <n>', 'largest matrix answer in bytes of JSON (TooBig past it; default 128 MiB)')
    .option('--data-dir <dir>', 'where VRP jobs are kept (default: $WAYMARK_DATA_DIR or ./waymark-data)')
    .option('--jobs <url>', 'keep VRP jobs in PostgreSQL, shared by replicas (postgres://…; default: $WAYMARK_JOBS_URL, else SQLite in --data-dir)')
    .option('--job-lease <ms>', 'lease of a running VRP job: a replica that stops heartbeating loses its jobs after this', '15000')
    .option('--no-job-notify', 'with --jobs: poll the queue (every second) and cancellations (every half second) instead of LISTEN/NOTIFY')
    .option('--max-solves <n>', 'VRP solves at once (default: cores)')
    .option('--traffic <file>', 'install a metric file (`waymark traffic <map> <csv> -o file.wmetric`) as live traffic on the map it was written for (repeatable)', (v: string, all: string[] = []) => [...all, v])
    .option('--watch', 'reload a map when its file is replaced (also: SIGHUP, POST /admin/reload with WAYMARK_ADMIN_TOKEN)')
    .option('--inline-max-segments <n>', 'answer tiny route queries (2 points, no geometry) on the main thread on maps up to this many segments; 0: always in a worker (default: $WAYMARK_INLINE_MAX_SEGMENTS or 250000)');
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
