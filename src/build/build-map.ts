/** `waymark build`: PBF -> osmium -> native importer -> map file (written atomically). */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { driveSide } from '@rapideditor/country-coder';
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
  /** The side traffic keeps to; auto (default): the side of the country most of the extract's roads lie in. */
  drivingSide?: DrivingSideOption;
}

export type DrivingSideOption = 'left' | 'right' | 'auto';

/**
 * The driving side of the country most of `coordinates` (lon, lat pairs) lie in, by
 * @rapideditor/country-coder's borders (points at sea or in no country do not count); right when
 * none is known. `leftShare` is the share of the located points in left-hand-traffic countries.
 */
export function detectDrivingSide(coordinates: Float64Array): { side: 'left' | 'right'; leftShare: number; located: number } {
  let left = 0;
  let located = 0;
  for (let i = 0; i + 1 < coordinates.length; i += 2) {
    const side = driveSide([coordinates[i], coordinates[i + 1]]);
    if (side === 'left') left++;
    if (side === 'left' || side === 'right') located++;
  }
  const leftShare = located > 0 ? left / located : 0;
  return { side: leftShare > 0.5 ? 'left' : 'right', leftShare, located };
}

export interface BuildMapResult extends BuildSummary {
  output: string;
  profile: string;
  /** The side traffic keeps to, and how it was decided. */
  drivingSide: 'left' | 'right';
  drivingSideFrom: 'option' | 'location';
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
  drivingSide?: DrivingSideOption;
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
  const sideOption = options.drivingSide ?? 'auto';
  if (!['left', 'right', 'auto'].includes(sideOption)) throw new WaymarkError('InvalidValue', `driving side must be left, right or auto, not '${sideOption}'`);
  // Auto: where the roads are (every profile reads the same ways; a sample of 2,000 way nodes).
  const drivingSide = sideOption === 'auto' ? detectDrivingSide(native.importerSample(importers[0], 2000)).side : sideOption;
  const drivingSideFrom = sideOption === 'auto' ? ('location' as const) : ('option' as const);
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
            drivingSide,
          },
          (step, done, total) => progress?.update(options.targets.length > 1 ? `${target.profile.name}:${step}` : step, done, total),
        );
        results.push({ ...summary, output: outputs[i], profile: target.profile.name, drivingSide, drivingSideFrom, secondsImport, secondsTotal: (performance.now() - started) / 1000 });
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
    ...(options.drivingSide !== undefined ? { drivingSide: options.drivingSide } : {}),
  });
  return result;
}
