/**
 * Isochrones from one PHAST run: the native core cuts every reached road segment at each limit;
 * here the reached network becomes polygons.
 *
 * Polygons are a union of H3 cells (h3-js) over points sampled along the reached roads, every half
 * cell edge, so consecutive samples fall in the same or adjacent cells and a road never leaves a gap.
 * Why H3 rather than @turf/turf's buffer or concave hull: buffering thousands of linestrings and
 * unioning them costs seconds, while the cell union is linear in the sampled points;
 * a concave hull bridges over unreachable areas and has no holes, while cellsToMultiPolygon gives
 * holes wherever no reached road passes; and the cell sets of growing limits are nested, so the
 * contours nest exactly. Holes smaller than a few cells (the inside of a city block) are filled, so
 * a hole means an area with no reached road, not the gap between two streets. @turf/turf then
 * generalises (Douglas-Peucker, `generalize` metres) and measures hole areas.
 */
import * as turf from '@turf/turf';
import type { MultiLineString, MultiPolygon } from 'geojson';
import { cellArea, cellsToMultiPolygon, getHexagonEdgeLengthAvg, latLngToCell, UNITS } from 'h3-js';
import { native, type MapHandle, type PhastDirection } from '../native/index.js';
import { callNative, flatCoordinates, type LonLat } from './route.js';

export interface IsochroneRequest {
  location: LonLat;
  /** Travel-time limits in minutes; or */
  contours_minutes?: number[];
  /** distance limits in metres (along the fastest paths). */
  contours_meters?: number[];
  /** forward: where one can get from location; reverse: where one can come from to reach it. */
  direction?: PhastDirection;
  /** false: the reached road network as MultiLineStrings instead of polygons. */
  polygons?: boolean;
  /** Douglas-Peucker tolerance in metres for polygon outlines (0: none). */
  generalize?: number;
  /** H3 resolution of the cells the polygons are made of (default: defaultResolutionFor). */
  resolution?: number;
  /** Snapping radius for location, metres. */
  radius?: number;
}

export interface IsochroneFeature {
  type: 'Feature';
  properties: { contour: number; metric: 'minutes' | 'meters'; direction: PhastDirection; pieces?: number; cells?: number; area_km2?: number };
  geometry: { type: 'MultiPolygon'; coordinates: number[][][][] } | { type: 'MultiLineString'; coordinates: number[][][] };
}

export interface IsochroneResponse {
  type: 'FeatureCollection';
  features: IsochroneFeature[];
  /** Where the location snapped to. */
  waypoint: { location: LonLat; distance: number; name: string };
}

/** Polygon cells: ~66 m edges (H3 10) up to 15 minutes or 10 km; ~174 m (H3 9) beyond, where 7 times fewer cells keep large areas fast. */
export function defaultResolutionFor(limits: number[], seconds: boolean): number {
  const largest = Math.max(...limits);
  return largest <= (seconds ? 15 * 60 : 10_000) ? 10 : 9;
}
/** Holes smaller than this many cells are filled (a city block, not an unreachable area). */
const minHoleCells = 4;

/** The cells of the reached network as polygons with holes, small holes filled. */
export function cellsPolygon(cells: Set<string>, generalizeM: number): { coordinates: number[][][][]; areaKm2: number } {
  if (cells.size === 0) return { coordinates: [], areaKm2: 0 };
  const list = [...cells];
  const minHoleM2 = minHoleCells * cellArea(list[0], UNITS.m2);
  let polygons = cellsToMultiPolygon(list, true) as number[][][][];
  polygons = polygons.map(([outer, ...holes]) => [outer, ...holes.filter((h) => turf.area(turf.polygon([h])) >= minHoleM2)]);
  let geometry: MultiPolygon = { type: 'MultiPolygon', coordinates: polygons };
  if (generalizeM > 0) {
    geometry = turf.simplify(geometry, { tolerance: generalizeM / 111_320, highQuality: false, mutate: true }) as MultiPolygon;
  }
  const coordinates = geometry.coordinates.map((poly) => poly.map((ring) => ring.map(([x, y]) => [round6(x), round6(y)])));
  return { coordinates, areaKm2: Math.round((turf.area(geometry) / 1e6) * 1000) / 1000 };
}

export function isochroneOnMap(map: MapHandle, request: IsochroneRequest): IsochroneResponse {
  const minutes = request.contours_minutes;
  const meters = request.contours_meters;
  const limits = minutes ? minutes.map((m) => m * 60) : meters ?? [];
  const direction = request.direction ?? 'forward';
  const resolution = request.resolution ?? defaultResolutionFor(limits, Boolean(minutes));
  const polygons = request.polygons !== false;
  const r = callNative(() =>
    native.isochrone(map, flatCoordinates([request.location]), {
      direction,
      metric: minutes ? 'duration' : 'distance',
      limits: Float64Array.from(limits),
      radius: request.radius ?? 1000,
      lines: !polygons,
      // Half a cell edge apart, consecutive samples fall in the same or adjacent cells.
      ...(polygons ? { sampleStep: getHexagonEdgeLengthAvg(resolution, UNITS.m) / 2 } : {}),
    }),
  );
  const contourOf = (k: number) => ({ contour: minutes ? minutes[k] : meters![k], metric: minutes ? ('minutes' as const) : ('meters' as const), direction });
  let features: IsochroneFeature[];
  if (!polygons) {
    features = r.contours.map((contour, k) => {
      const pieces = contour.parts.length - 1;
      const lines: number[][][] = [];
      const c = contour.coordinates;
      for (let p = 0; p < pieces; p++) {
        const line: number[][] = [];
        for (let i = contour.parts[p]; i < contour.parts[p + 1]; i++) line.push([round6(c[2 * i]), round6(c[2 * i + 1])]);
        lines.push(line);
      }
      let geometry: MultiLineString = { type: 'MultiLineString', coordinates: lines };
      if (request.generalize) geometry = turf.simplify(geometry, { tolerance: request.generalize / 111_320, highQuality: false, mutate: true }) as MultiLineString;
      return { type: 'Feature', properties: { ...contourOf(k), pieces }, geometry };
    });
  } else {
    // One cell lookup per sample, for all contours: a cell belongs to every contour whose limit
    // covers its cheapest sample.
    const samples = r.samples!;
    const cellCost = new Map<string, number>();
    for (let i = 0; i < samples.length; i += 3) {
      const cell = latLngToCell(samples[i + 1], samples[i], resolution);
      const cost = samples[i + 2];
      const old = cellCost.get(cell);
      if (old === undefined || cost < old) cellCost.set(cell, cost);
    }
    features = limits.map((limit, k) => {
      const cells = new Set<string>();
      for (const [cell, cost] of cellCost) if (cost <= limit) cells.add(cell);
      const { coordinates, areaKm2 } = cellsPolygon(cells, request.generalize ?? 0);
      return { type: 'Feature', properties: { ...contourOf(k), cells: cells.size, area_km2: areaKm2 }, geometry: { type: 'MultiPolygon', coordinates } };
    });
  }
  return { type: 'FeatureCollection', features, waypoint: { location: r.location.location, distance: r.location.distance, name: r.location.name } };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
