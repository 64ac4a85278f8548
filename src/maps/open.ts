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

export function parseMapRef(ref: string): { path: string; checksum: string } {
  const i = ref.lastIndexOf('#');
  return i < 0 ? { path: ref, checksum: '' } : { path: ref.slice(0, i), checksum: ref.slice(i + 1) };
}
