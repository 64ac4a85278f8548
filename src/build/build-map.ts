/** `waymark build`: PBF -> osmium -> native importer -> map file (written atomically). */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { WaymarkError } from '../errors.js';
import { isNativeError, native, type BuildSummary } from '../native/index.js';
import type { ProfileTable } from '../profiles/types.js';
import { ensureOsmium, readPbfInfo, streamRoutableOpl } from './osmium.js';
import type { Progress } from './progress.js';

export interface BuildMapOptions {
  input: string;
  output: string;
  profile: ProfileTable;
  progress?: Progress;
  threads?: number;
}

export interface BuildMapResult extends BuildSummary {
  output: string;
  profile: string;
  secondsImport: number;
  secondsTotal: number;
}

export async function buildMapFromPbf(options: BuildMapOptions): Promise<BuildMapResult> {
  const started = performance.now();
  const input = resolve(options.input);
  const output = resolve(options.output);
  if (!existsSync(input)) throw new WaymarkError('InputNotFound', `input file not found: ${options.input}`);
  if (!statSync(input).isFile()) throw new WaymarkError('InputNotFound', `input is not a file: ${options.input}`);
  if (existsSync(output) && statSync(output).isDirectory()) {
    throw new WaymarkError('OutputNotWritable', `output ${options.output} is a directory; give a file name`);
  }
  try {
    accessSync(dirname(output), constants.W_OK);
  } catch {
    throw new WaymarkError('OutputNotWritable', `cannot write to ${dirname(output)}`);
  }
  ensureOsmium();
  const info = readPbfInfo(input);
  const sourceTimestamp = info.timestamp || statSync(input).mtime.toISOString();

  const importer = native.createImporter(options.profile);
  const progress = options.progress;
  let bytes = 0;
  await streamRoutableOpl(input, (chunk) => {
    native.importerPush(importer, chunk);
    bytes += chunk.length;
    // The OPL size is not known up front: report megabytes read against a moving total.
    progress?.update('read', Math.floor(bytes / 1e6), Math.floor(bytes / 1e6) + 1);
  });
  const stats = native.importerStats(importer);
  progress?.update('read', Math.ceil(bytes / 1e6), Math.ceil(bytes / 1e6));
  const secondsImport = (performance.now() - started) / 1000;
  if (stats.routableWays === 0) {
    throw new WaymarkError('NoRoads', `${basename(input)} has no roads routable with profile '${options.profile.name}'`);
  }
  try {
    const summary = await native.importerFinish(
      importer,
      { output, sourceName: basename(input), sourceTimestamp, threads: options.threads ?? 0 },
      (step, done, total) => progress?.update(step, done, total),
    );
    return { ...summary, output, profile: options.profile.name, secondsImport, secondsTotal: (performance.now() - started) / 1000 };
  } catch (err) {
    if (isNativeError(err)) throw new WaymarkError(err.code, err.message);
    throw err;
  } finally {
    progress?.stop();
  }
}
