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
  /** Keep every component of the road graph, not only the largest (small hand-drawn test networks). */
  keepAllComponents?: boolean;
}

export interface BuildMapResult extends BuildSummary {
  output: string;
  profile: string;
  secondsImport: number;
  secondsTotal: number;
}

export interface BuildTarget {
  profile: ProfileTable;
  output: string;
}

/** Builds one map per target from a single osmium pass over the input. */
export async function buildMapsFromPbf(options: {
  input: string;
  targets: BuildTarget[];
  progress?: Progress;
  threads?: number;
  keepAllComponents?: boolean;
}): Promise<BuildMapResult[]> {
  const started = performance.now();
  const input = resolve(options.input);
  if (options.targets.length === 0) throw new WaymarkError('InvalidValue', 'no profile to build');
  if (!existsSync(input)) throw new WaymarkError('InputNotFound', `input file not found: ${options.input}`);
  if (!statSync(input).isFile()) throw new WaymarkError('InputNotFound', `input is not a file: ${options.input}`);
  const outputs = options.targets.map((t) => resolve(t.output));
  for (const [i, output] of outputs.entries()) {
    if (existsSync(output) && statSync(output).isDirectory()) {
      throw new WaymarkError('OutputNotWritable', `output ${options.targets[i].output} is a directory; give a file name`);
    }
    // The map is renamed over the output: never over a device, pipe or socket (as root, -o /dev/full
    // would otherwise replace the device node with a regular file).
    if (existsSync(output) && !statSync(output).isFile()) {
      throw new WaymarkError('OutputNotWritable', `output ${options.targets[i].output} exists and is not a regular file`);
    }
    try {
      accessSync(dirname(output), constants.W_OK);
    } catch {
      throw new WaymarkError('OutputNotWritable', `cannot write to ${dirname(output)}`);
    }
  }
  ensureOsmium();
  const info = readPbfInfo(input);
  const sourceTimestamp = info.timestamp || statSync(input).mtime.toISOString();

  // One osmium pass feeds every profile's importer.
  const importers = options.targets.map((t) => native.createImporter(t.profile));
  const progress = options.progress;
  let bytes = 0;
  await streamRoutableOpl(input, (chunk) => {
    for (const importer of importers) native.importerPush(importer, chunk);
    bytes += chunk.length;
    // The OPL size is not known up front: report megabytes read against a moving total.
    progress?.update('read', Math.floor(bytes / 1e6), Math.floor(bytes / 1e6) + 1);
  });
  progress?.update('read', Math.ceil(bytes / 1e6), Math.ceil(bytes / 1e6));
  const secondsImport = (performance.now() - started) / 1000;
  const results: BuildMapResult[] = [];
  try {
    for (const [i, target] of options.targets.entries()) {
      const stats = native.importerStats(importers[i]);
      if (stats.routableWays === 0) {
        throw new WaymarkError('NoRoads', `${basename(input)} has no roads routable with profile '${target.profile.name}'`);
      }
      try {
        const summary = await native.importerFinish(
          importers[i],
          {
            output: outputs[i],
            sourceName: basename(input),
            sourceTimestamp,
            threads: options.threads ?? 0,
            keepAllComponents: options.keepAllComponents ?? false,
          },
          (step, done, total) => progress?.update(options.targets.length > 1 ? `${target.profile.name}:${step}` : step, done, total),
        );
        results.push({ ...summary, output: outputs[i], profile: target.profile.name, secondsImport, secondsTotal: (performance.now() - started) / 1000 });
      } catch (err) {
        if (isNativeError(err)) throw new WaymarkError(err.code, err.message);
        throw err;
      }
    }
  } finally {
    progress?.stop();
  }
  return results;
}

export async function buildMapFromPbf(options: BuildMapOptions): Promise<BuildMapResult> {
  const [result] = await buildMapsFromPbf({
    input: options.input,
    targets: [{ profile: options.profile, output: options.output }],
    ...(options.progress ? { progress: options.progress } : {}),
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.keepAllComponents !== undefined ? { keepAllComponents: options.keepAllComponents } : {}),
  });
  return result;
}
