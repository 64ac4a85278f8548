/** The map of the OSM extract shipped in data/, built on first use and rebuilt when stale. */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildMapFromPbf } from '../build/build-map.js';
import { createProgress } from '../build/progress.js';
import { WaymarkError } from '../errors.js';
import { log } from '../log.js';
import { getProfile } from '../profiles/index.js';
import { openMapFile, type OpenedMap } from './open.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const bundledPbf = join(repoRoot, 'data', 'monaco.osm.pbf');

export function bundledMapPath(profile = 'car'): string {
  return join(repoRoot, 'data', `monaco.${profile}.wmap`);
}

/** Opens the bundled map, building it first when it is missing, older than its inputs or unreadable. */
export async function ensureBundledMap(profile = 'car'): Promise<OpenedMap> {
  const path = bundledMapPath(profile);
  const addon = join(repoRoot, 'build', 'Release', 'waymark.node');
  if (existsSync(path)) {
    const built = statSync(path).mtimeMs;
    const stale = statSync(bundledPbf).mtimeMs > built || statSync(addon).mtimeMs > built;
    if (!stale) {
      try {
        return openMapFile(path);
      } catch (err) {
        if (!(err instanceof WaymarkError)) throw err;
        log.warn({ path, code: err.code }, 'bundled map unreadable; rebuilding');
      }
    }
  }
  log.info({ input: bundledPbf, output: path, profile }, 'building the bundled map');
  await buildMapFromPbf({ input: bundledPbf, output: path, profile: getProfile(profile), progress: createProgress('build') });
  return openMapFile(path);
}
