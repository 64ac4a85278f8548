/** The map of the OSM extract shipped in data/, built on first use and rebuilt when stale. */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildMapsFromPbf } from '../build/build-map.js';
import { createProgress } from '../build/progress.js';
import { WaymarkError } from '../errors.js';
import { log } from '../log.js';
import { getProfile } from '../profiles/index.js';
import { native } from '../native/index.js';
import { openMapFile, type OpenedMap } from './open.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const bundledPbf = join(repoRoot, 'data', 'monaco.osm.pbf');

export const bundledDir = join(repoRoot, 'data');

export function bundledMapPath(profile = 'car', dir = bundledDir): string {
  return join(dir, `monaco.${profile}.wmap`);
}

export const bundledProfiles = ['car', 'bike', 'foot'];

/**
 * Opens the bundled maps, (re)building them all in one pass when any is missing, stale, of an old
 * map format (MapVersionUnsupported) or otherwise unreadable. `dir`: where they live (tests).
 */
export async function ensureBundledMaps(profiles = bundledProfiles, dir = bundledDir): Promise<OpenedMap[]> {
  const addon = join(repoRoot, 'build', 'Release', 'waymark.node');
  const opened: OpenedMap[] = [];
  for (const profile of profiles) {
    const path = bundledMapPath(profile, dir);
    if (!existsSync(path)) break;
    const built = statSync(path).mtimeMs;
    if (statSync(bundledPbf).mtimeMs > built || statSync(addon).mtimeMs > built) break;
    try {
      opened.push(openMapFile(path));
    } catch (err) {
      if (!(err instanceof WaymarkError)) throw err;
      log.warn({ path, code: err.code }, err.code === 'MapVersionUnsupported' ? 'bundled map of another map format version; rebuilding' : 'bundled map unreadable; rebuilding');
      break;
    }
  }
  if (opened.length === profiles.length) return opened;
  for (const m of opened) native.releaseMap(m.handle);
  log.info({ input: bundledPbf, profiles }, 'building the bundled maps');
  await buildMapsFromPbf({
    input: bundledPbf,
    targets: profiles.map((p) => ({ profile: getProfile(p), output: bundledMapPath(p, dir) })),
    progress: createProgress('build'),
  });
  return profiles.map((p) => openMapFile(bundledMapPath(p, dir)));
}
