import { WaymarkError } from '../errors.js';
import { isNativeError, native, type MapHandle, type MapHeader } from '../native/index.js';

export interface OpenedMap {
  handle: MapHandle;
  header: MapHeader;
}

/** Opens (memory-maps and validates) a map file; native errors become WaymarkErrors with their code. */
export function openMapFile(path: string): OpenedMap {
  try {
    const handle = native.openMap(path);
    return { handle, header: native.mapHeader(handle) };
  } catch (err) {
    if (isNativeError(err)) throw new WaymarkError(err.code, err.message);
    throw err;
  }
}
