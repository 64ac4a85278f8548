import { WaymarkError } from '../errors.js';
import { isNativeError, native, type MapHandle, type MapHeader } from '../native/index.js';

export interface OpenedMap {
  handle: MapHandle;
  header: MapHeader;
}

/** Opens (memory-maps and validates) a map file; native errors become WaymarkErrors with their code. */
export function openMapFile(path: string, checksum?: string): OpenedMap {
  try {
    const handle = checksum === undefined ? native.openMap(path) : native.openMap(path, checksum);
    return { handle, header: native.mapHeader(handle) };
  } catch (err) {
    if (isNativeError(err)) throw new WaymarkError(err.code, err.message);
    throw err;
  }
}

/** A map version as tasks name it: "path#checksum". */
export function mapRef(path: string, checksum: string): string {
  return `${path}#${checksum}`;
}

/**
 * "path#checksum", or "path#checksum@t<version>" when the server serves live-traffic metric
 * <version> of that map (src/server/traffic.ts), or "path#[checksum]@tlatest" for work queued long
 * before it runs (VRP): whatever traffic is installed when it starts.
 */
export function parseMapRef(ref: string): { path: string; checksum: string; traffic?: number | 'latest' } {
  const i = ref.lastIndexOf('#');
  if (i < 0) return { path: ref, checksum: '' };
  const version = ref.slice(i + 1);
  const at = version.indexOf('@t');
  if (at < 0) return { path: ref.slice(0, i), checksum: version };
  const traffic = version.slice(at + 2);
  return { path: ref.slice(0, i), checksum: version.slice(0, at), traffic: traffic === 'latest' ? 'latest' : Number(traffic) };
}
