/** Route geometry as answers carry it: rounded coordinates, GeoJSON or encoded polylines. */
import polyline from '@mapbox/polyline';
import type { GeoJsonLineString, GeometryFormat, LonLat } from './route.js';

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function lineCoordinates(flat: Float64Array, begin = 0, end = flat.length / 2): LonLat[] {
  const out: LonLat[] = [];
  for (let i = begin; i < end; i++) out.push([round(flat[2 * i], 6), round(flat[2 * i + 1], 6)]);
  return out;
}

export function formatGeometry(flat: Float64Array, format: GeometryFormat): GeoJsonLineString | string | null {
  if (format === false) return null;
  const coords = lineCoordinates(flat);
  if (format === 'geojson') return { type: 'LineString', coordinates: coords };
  // The polyline format encodes lat, lon.
  return polyline.encode(
    coords.map(([lon, lat]) => [lat, lon]),
    format === 'polyline6' ? 6 : 5,
  );
}
