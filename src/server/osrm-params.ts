/** Parsing of OSRM-style URL parameters: "lon,lat;lon,lat" or polyline(...), index lists, radiuses. */
import polyline from '@mapbox/polyline';
import type { LonLat } from '../routing/route.js';
import { ApiError } from './errors.js';

/** A decimal number as OSRM writes it: no hex, exponent, blanks, Infinity or empty string. */
const DECIMAL = /^[-+]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * Whether text is a well-formed encoded polyline: every character in the alphabet ('?'..'~'), every
 * value terminated (a chunk without the continuation bit), at most 7 chunks per value (32 bits), and
 * an even number of values (lat, lon pairs). The decoder itself accepts anything and makes up points.
 */
export function isEncodedPolyline(text: string): boolean {
  let values = 0;
  let chunks = 0;
  for (let i = 0; i < text.length; i++) {
    const b = text.charCodeAt(i) - 63;
    if (b < 0 || b > 63) return false;
    if (++chunks > 7) return false;
    if (b < 0x20) {
      values++;
      chunks = 0;
    }
  }
  return chunks === 0 && values % 2 === 0 && values > 0;
}

export function parseOsrmCoordinates(text: string, max: number): LonLat[] {
  const raw = text.replace(/\.json$/, '');
  let coords: LonLat[];
  const encoded = /^polyline6?\((.*)\)$/.exec(raw);
  if (encoded) {
    const precision = raw.startsWith('polyline6') ? 6 : 5;
    let text: string;
    try {
      text = decodeURIComponent(encoded[1]);
    } catch {
      text = '';
    }
    if (!isEncodedPolyline(text)) throw new ApiError(400, 'InvalidQuery', 'the encoded polyline of coordinates cannot be decoded');
    coords = polyline.decode(text, precision).map(([lat, lon]) => [lon, lat] as LonLat);
  } else {
    coords = raw.split(';').map((pair, i) => {
      const parts = pair.split(',');
      const lon = Number(parts[0]);
      const lat = Number(parts[1]);
      if (parts.length !== 2 || !DECIMAL.test(parts[0]) || !DECIMAL.test(parts[1]) || !Number.isFinite(lon) || !Number.isFinite(lat)) {
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
    const i = /^\d{1,9}$/.test(s) ? Number(s) : NaN;
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
    const r = DECIMAL.test(p) ? Number(p) : NaN;
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
