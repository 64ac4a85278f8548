/**
 * H3 zones (h3-js): travel times between hexagonal cells, for dispatch and surge pricing.
 *
 * Each cell is represented by up to `samples` road points inside it: candidates are the cell centre,
 * then the centres of its six outer children one resolution down, then the remaining centres of its
 * 49 grandchildren; each is snapped to the nearest routable road within a child's edge length, and
 * kept when the snapped point lies in the cell and is new. A cell where the centre and the six
 * children find no such point (their disks cover the cell) is road-less:
 * reported, never an error. Cell-to-cell values are a statistic over every pair of their samples
 * (cell-to-cell matrix on the CH, many-to-many; cell-to-point ETAs by one reverse PHAST), with the
 * number of sample pairs that have a path.
 */
import * as turf from '@turf/turf';
import { cellToChildren, cellToLatLng, getHexagonAreaAvg, getHexagonEdgeLengthAvg, getResolution, isValidCell, latLngToCell, polygonToCells, UNITS } from 'h3-js';
import { WaymarkError } from '../errors.js';
import { native, type MapHandle } from '../native/index.js';
import { callNative, flatCoordinates, type LonLat } from '../routing/route.js';

export type ZoneStatistic = 'median' | 'p90' | 'min';

type PolygonGeometry = { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };

export interface ZoneArea {
  resolution: number;
  /** Exactly one of cells, bbox ([west, south, east, north]) or polygon (GeoJSON Polygon / MultiPolygon, or a Feature of one). */
  cells?: string[];
  bbox?: [number, number, number, number];
  polygon?: PolygonGeometry | { type: 'Feature'; geometry: PolygonGeometry };
}

export interface ZoneOptions {
  /** Representative road points per cell, 1..49 (default 7). */
  samples?: number;
  statistic?: ZoneStatistic;
  /** Refuse areas of more cells than this (TooBig). */
  maxCells?: number;
  /** Refuse (TooBig) an answer expected to exceed this many bytes of JSON, before computing it. */
  maxAnswerBytes?: number;
}

/**
 * Bytes of JSON a zone answer is expected to take: 17 per cell pair of a matrix (a duration and a
 * count with their commas), 20 per cell name, 50 per road point, 100 per cell of an ETA answer.
 */
export function estimatedZoneAnswerBytes(kind: 'matrix' | 'eta', cells: number, points: number, roadless: number): number {
  return kind === 'matrix' ? cells * cells * 17 + cells * 20 + points * 50 + roadless * 20 + 200 : cells * 100 + roadless * 20 + 200;
}

function checkZoneAnswerBytes(kind: 'matrix' | 'eta', bytes: number, limit = Infinity): void {
  if (bytes > limit) throw new WaymarkError('TooBig', `the zone ${kind} would answer about ${bytes} bytes, over the limit of ${limit}`);
}

export const defaultZoneSamples = 7;
export const maxZoneSamples = 49;

/** The cells of an area, in a stable order (as given, or sorted). */
export function selectCells(area: ZoneArea, maxCells = Infinity): string[] {
  const { resolution } = area;
  if (!Number.isInteger(resolution) || resolution < 0 || resolution > 15) throw new WaymarkError('InvalidValue', 'resolution must be an integer in [0, 15]');
  const given = [area.cells, area.bbox, area.polygon].filter((x) => x !== undefined).length;
  if (given !== 1) throw new WaymarkError('InvalidValue', 'give exactly one of cells, bbox or polygon');
  let cells: string[];
  if (area.cells) {
    const seen = new Set<string>();
    cells = [];
    area.cells.forEach((c, i) => {
      if (typeof c !== 'string' || !isValidCell(c)) throw new WaymarkError('InvalidValue', `cells[${i}]: '${c}' is not an H3 cell`);
      if (getResolution(c) !== resolution) throw new WaymarkError('InvalidValue', `cells[${i}]: ${c} is at resolution ${getResolution(c)}, not ${resolution}`);
      if (!seen.has(c)) {
        seen.add(c);
        cells.push(c);
      }
    });
  } else {
    let polygons: number[][][][];
    if (area.bbox) {
      const [w, s, e, n] = area.bbox;
      if (!(w >= -180 && e <= 180 && s >= -90 && n <= 90 && w < e && s < n)) throw new WaymarkError('InvalidValue', 'bbox must be [west, south, east, north] with west < east and south < north, in degrees');
      polygons = [[[[w, s], [e, s], [e, n], [w, n], [w, s]]]];
    } else {
      const p = area.polygon!;
      const geometry = p.type === 'Feature' ? p.geometry : p;
      if (geometry?.type === 'Polygon') polygons = [geometry.coordinates];
      else if (geometry?.type === 'MultiPolygon') polygons = geometry.coordinates;
      else throw new WaymarkError('InvalidValue', 'polygon must be a GeoJSON Polygon or MultiPolygon (or a Feature of one)');
    }
    // Refuse before h3 enumerates a huge area (twice the limit's area leaves room for shapes).
    let areaM2 = 0;
    try {
      for (const rings of polygons) areaM2 += turf.area(turf.polygon(rings));
    } catch (err) {
      throw new WaymarkError('InvalidValue', `polygon: ${(err as Error).message}`);
    }
    const estimate = Math.round(areaM2 / getHexagonAreaAvg(resolution, UNITS.m2));
    if (estimate > 2 * maxCells + 100) throw new WaymarkError('TooBig', `the area has about ${estimate} cells; the limit is ${maxCells}`);
    const set = new Set<string>();
    for (const rings of polygons) {
      let found: string[];
      try {
        found = polygonToCells(rings, resolution, true);
      } catch (err) {
        throw new WaymarkError('InvalidValue', `polygon: ${(err as Error).message}`);
      }
      for (const c of found) set.add(c);
      if (set.size > maxCells) break;
    }
    cells = [...set].sort();
  }
  if (cells.length === 0) throw new WaymarkError('InvalidValue', 'the area contains no cell at this resolution (cells are taken by their centres)');
  if (cells.length > maxCells) throw new WaymarkError('TooBig', `the area has ${cells.length} cells; the limit is ${maxCells}`);
  return cells;
}

export interface ZoneSamples {
  /** Cells with at least one road point, in input order. */
  cells: string[];
  /** Their road points. */
  points: LonLat[][];
  roadless: string[];
}

/** Candidate points of a cell in the order they are tried (centre first, then spread outwards). */
function candidates(cell: string, round: 0 | 1): LonLat[] {
  const res = getResolution(cell);
  const centre = cellToLatLng(cell);
  if (round === 0) {
    const out: LonLat[] = [[centre[1], centre[0]]];
    if (res < 15) {
      const mid = latLngToCell(centre[0], centre[1], res + 1);
      for (const child of cellToChildren(cell, res + 1)) {
        if (child === mid) continue;
        const [lat, lon] = cellToLatLng(child);
        out.push([lon, lat]);
      }
    }
    return out;
  }
  if (res >= 14) return [];
  const firstRound = new Set(cellToChildren(cell, res + 1).map((c) => latLngToCell(...cellToLatLng(c), res + 2)));
  return cellToChildren(cell, res + 2)
    .filter((c) => !firstRound.has(c))
    .map((c) => {
      const [lat, lon] = cellToLatLng(c);
      return [lon, lat] as LonLat;
    });
}

/** Up to `samples` distinct road points inside each cell. */
export function zoneSamples(map: MapHandle, cells: string[], samples = defaultZoneSamples, onProgress?: (done: number, total: number) => void): ZoneSamples {
  if (!Number.isInteger(samples) || samples < 1 || samples > maxZoneSamples) throw new WaymarkError('InvalidValue', `samples must be an integer in [1, ${maxZoneSamples}]`);
  const resolution = getResolution(cells[0]);
  const radius = getHexagonEdgeLengthAvg(Math.min(resolution + 1, 15), UNITS.m);
  const chosen: LonLat[][] = cells.map(() => []);
  const keys = cells.map(() => new Set<string>());
  for (const round of [0, 1] as const) {
    // The first round's disks (a child's edge around each of the 7 child centres) cover the cell, so
    // a cell it finds no road in is road-less; round 1 only adds samples to cells short of them.
    const todo = cells.map((_, i) => i).filter((i) => chosen[i].length < samples && (round === 0 || chosen[i].length > 0));
    const batch = 256;
    for (let b = 0; b < todo.length; b += batch) {
      const ids = todo.slice(b, b + batch);
      const lists = ids.map((i) => candidates(cells[i], round));
      const snapped = callNative(() => native.snapEach(map, flatCoordinates(lists.flat()), { radius }));
      let k = 0;
      ids.forEach((i, n) => {
        for (let c = 0; c < lists[n].length; c++, k++) {
          const lon = snapped[2 * k], lat = snapped[2 * k + 1];
          if (Number.isNaN(lon) || chosen[i].length >= samples) continue;
          const key = `${lon.toFixed(6)},${lat.toFixed(6)}`;
          if (keys[i].has(key) || latLngToCell(lat, lon, resolution) !== cells[i]) continue;
          keys[i].add(key);
          chosen[i].push([Math.round(lon * 1e6) / 1e6, Math.round(lat * 1e6) / 1e6]);
        }
      });
      const done = Math.min(b + batch, todo.length);
      onProgress?.(round === 0 ? done : cells.length + Math.round((done / todo.length) * cells.length), 2 * cells.length);
    }
    if (round === 1) onProgress?.(2 * cells.length, 2 * cells.length);
  }
  const out: ZoneSamples = { cells: [], points: [], roadless: [] };
  cells.forEach((c, i) => {
    if (chosen[i].length === 0) out.roadless.push(c);
    else {
      out.cells.push(c);
      out.points.push(chosen[i]);
    }
  });
  return out;
}

/** The statistic of some values (nearest rank), or null for none. */
export function statistic(values: number[], kind: ZoneStatistic): number | null {
  return statisticOf(Float64Array.from(values), kind);
}

/** statistic() on a typed array, which it may reorder. */
function statisticOf(values: Float64Array, kind: ZoneStatistic): number | null {
  if (values.length === 0) return null;
  if (kind === 'min') {
    let m = values[0];
    for (let i = 1; i < values.length; i++) if (values[i] < m) m = values[i];
    return m;
  }
  values.sort();
  const q = kind === 'median' ? 0.5 : 0.9;
  return values[Math.max(0, Math.ceil(q * values.length) - 1)];
}

export interface ZoneMatrix {
  format: 'waymark-zones/1';
  resolution: number;
  statistic: ZoneStatistic;
  unit: 'seconds';
  cells: string[];
  /** Representative road points per cell ([lon, lat]). */
  points: LonLat[][];
  roadless: string[];
  /** durations[i][j]: the statistic over sample pairs from cells[i] to cells[j]; null where no pair has a path. */
  durations: (number | null)[][];
  /** counts[i][j]: sample pairs with a path (on the diagonal, pairs of distinct samples). */
  counts: number[][];
}

/** The cell-to-cell matrix; rows computed in blocks of cells (onProgress after each). */
export function zoneMatrixOnMap(
  map: MapHandle,
  area: ZoneArea,
  options: ZoneOptions & { maxMatrixCells?: number } = {},
  onProgress?: (step: 'snap' | 'matrix', done: number, total: number) => void,
): ZoneMatrix {
  const kind = options.statistic ?? 'median';
  const cells = selectCells(area, options.maxCells);
  const z = zoneSamples(map, cells, options.samples, (d, t) => onProgress?.('snap', d, t));
  const flat: LonLat[] = z.points.flat();
  const n = flat.length;
  const maxMatrixCells = options.maxMatrixCells ?? 25e6;
  checkZoneAnswerBytes('matrix', estimatedZoneAnswerBytes('matrix', z.cells.length, n, z.roadless.length), options.maxAnswerBytes);
  if (n * n > maxMatrixCells) throw new WaymarkError('TooBig', `${z.cells.length} cells x ${n} samples make a ${n} x ${n} matrix, over the limit of ${maxMatrixCells} cells`);
  const first: number[] = [];
  let acc = 0;
  for (const p of z.points) {
    first.push(acc);
    acc += p.length;
  }
  first.push(acc);
  const all = flatCoordinates(flat);
  const durations: (number | null)[][] = [];
  const counts: number[][] = [];
  // Blocks of whole cells, about 2 million matrix entries each.
  const blockRows = Math.max(1, Math.floor(2e6 / Math.max(1, n)));
  const buffer = new Float64Array(maxZoneSamples * maxZoneSamples);
  let i = 0;
  onProgress?.('matrix', 0, z.cells.length);
  while (i < z.cells.length) {
    let j = i + 1;
    while (j < z.cells.length && first[j + 1] - first[i] <= blockRows) j++;
    const rows = flatCoordinates(flat.slice(first[i], first[j]));
    const m = callNative(() => native.matrix(map, rows, all, { distances: false, maxCells: Number.MAX_SAFE_INTEGER })).durations!;
    for (let a = i; a < j; a++) {
      const rowD: (number | null)[] = [];
      const rowC: number[] = [];
      for (let b = 0; b < z.cells.length; b++) {
        // One reused buffer per pair of cells: the values are typed and sorted in place.
        let count = 0;
        for (let s = first[a]; s < first[a + 1]; s++) {
          for (let t = first[b]; t < first[b + 1]; t++) {
            if (a === b && s === t && first[a + 1] - first[a] > 1) continue;
            const v = m[(s - first[i]) * n + t];
            if (!Number.isNaN(v)) buffer[count++] = v;
          }
        }
        const st = statisticOf(buffer.subarray(0, count), kind);
        rowD.push(st === null ? null : Math.round(st * 10) / 10);
        rowC.push(count);
      }
      durations.push(rowD);
      counts.push(rowC);
    }
    i = j;
    onProgress?.('matrix', i, z.cells.length);
  }
  return { format: 'waymark-zones/1', resolution: area.resolution, statistic: kind, unit: 'seconds', cells: z.cells, points: z.points, roadless: z.roadless, durations, counts };
}

export interface ZoneEta {
  resolution: number;
  statistic: ZoneStatistic;
  location: { location: LonLat; distance: number; name: string };
  /** Per cell with roads: the statistic of its samples' travel times to the location (null: none reaches it), samples with a path, samples. */
  cells: { cell: string; duration: number | null; count: number; samples: number }[];
  roadless: string[];
}

/** Travel time from every cell to one point: one reverse PHAST. */
export function zoneEtaOnMap(map: MapHandle, area: ZoneArea, location: LonLat, options: ZoneOptions & { radius?: number } = {}): ZoneEta {
  const kind = options.statistic ?? 'median';
  const cells = selectCells(area, options.maxCells);
  // Known from the cell count alone (road-less cells take less room than cells with roads).
  checkZoneAnswerBytes('eta', estimatedZoneAnswerBytes('eta', cells.length, 0, 0), options.maxAnswerBytes);
  const z = zoneSamples(map, cells, options.samples);
  const r = callNative(() => native.oneToMany(map, flatCoordinates([location]), flatCoordinates(z.points.flat()), { direction: 'reverse', radius: options.radius ?? 1000 }));
  let k = 0;
  const out = z.cells.map((cell, i) => {
    const values: number[] = [];
    for (let s = 0; s < z.points[i].length; s++, k++) if (!Number.isNaN(r.durations[k])) values.push(r.durations[k]);
    const st = statistic(values, kind);
    return { cell, duration: st === null ? null : Math.round(st * 10) / 10, count: values.length, samples: z.points[i].length };
  });
  return { resolution: area.resolution, statistic: kind, location: { location: r.center.location, distance: r.center.distance, name: r.center.name }, cells: out, roadless: z.roadless };
}
