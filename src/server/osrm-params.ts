/** Parsing of OSRM-style URL parameters: "lon,lat;lon,lat" or polyline(...), index lists, radiuses. */
import polyline from '@mapbox/polyline';
import type { LonLat } from '../routing/route.js';
import { ApiError } from './errors.js';

export function parseOsrmCoordinates(text: string, max: number): LonLat[] {
  const raw = text.replace(/\.json$/, '');
  let coords: LonLat[];
  const encoded = /^polyline6?\((.*)\)$/.exec(raw);
  if (encoded) {
    const precision = raw.startsWith('polyline6') ? 6 : 5;
    try {
      coords = polyline.decode(decodeURIComponent(encoded[1]), precision).map(([lat, lon]) => [lon, lat] as LonLat);
    } catch {
      throw new ApiError(400, 'InvalidQuery', 'the encoded polyline of coordinates cannot be decoded');
    }
  } else {
    coords = raw.split(';').map((pair, i) => {
      const parts = pair.split(',');
      const lon = Number(parts[0]);
      const lat = Number(parts[1]);
      if (parts.length !== 2 || parts[0] === '' || parts[1] === '' || !Number.isFinite(lon) || !Number.isFinite(lat)) {
        throw new ApiError(400, 'InvalidQuery', `coordinate ${i} ('${pair}') is not lon,lat`);
      }
      return [lon, lat] as LonLat;
    });
  }
  coords.forEach(([lon, lat], i) => {
    if (lon < -180 || lon > 180 || lat < -90 || lat > 90) {
      throw new ApiError(400, 'InvalidValue', `coordinate ${i} (${lon},${lat}) is out of range`);
    }
  });
  if (coords.length > max) throw new ApiError(400, 'TooBig', `${coords.length} coordinates exceed the limit of ${max}`);
  return coords;
}

/** "0;2;5" or "all" (undefined) into indices below count. */
export function parseIndexList(text: string | undefined, count: number, what: string): number[] | undefined {
  if (text === undefined || text === 'all' || text === '') return undefined;
  return text.split(';').map((s) => {
    const i = Number(s);
    if (!Number.isInteger(i) || i < 0 || i >= count) throw new ApiError(400, 'InvalidValue', `${what}: '${s}' is not an index below ${count}`);
    return i;
  });
}

/**
 * "100;;unlimited" into per-coordinate radii in metres (null = the default, unlimited; `unlimited` =
 * Infinity). As OSRM: a malformed list is 400 InvalidOptions.
 */
export function parseRadiuses(text: string | undefined, count: number, maxRadius: number): (number | null)[] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(';');
  if (parts.length !== count) throw new ApiError(400, 'InvalidOptions', `radiuses must have ${count} entries, one per coordinate`);
  return parts.map((p, i) => {
    if (p === '') return null;
    if (p === 'unlimited') return Infinity;
    const r = /^[0-9]*\.?[0-9]+(e[+-]?[0-9]+)?$/i.test(p) ? Number(p) : NaN;
    if (!Number.isFinite(r) || r <= 0 || r > maxRadius) {
      throw new ApiError(400, 'InvalidOptions', `radiuses[${i}] ('${p}') must be a positive number of metres up to ${maxRadius}, or unlimited`);
    }
    return r;
  });
}

export const osrmParamsSchema = {
  type: 'object',
  required: ['profile', 'coordinates'],
  properties: {
    profile: { type: 'string', description: 'car, or driving (its alias)' },
    coordinates: { type: 'string', description: 'lon,lat;lon,lat;... or polyline(...)' },
  },
} as const;
