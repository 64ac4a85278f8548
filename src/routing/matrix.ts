/** Distance matrices on a loaded map, shaped like OSRM's table answer (null where unreachable). */
import { WaymarkError } from '../errors.js';
import { native, type MapHandle, type NativeSnapSummary } from '../native/index.js';
import { observeNative, observePhase } from '../telemetry/phases.js';
import { callNative, flatCoordinates, radiusOptions, type LonLat } from './route.js';

export type Annotation = 'duration' | 'distance';

export interface MatrixRequest {
  sources: LonLat[];
  /** Defaults to the sources (square matrix). */
  destinations?: LonLat[];
  annotations?: Annotation[];
  /** Metres; default: unlimited (Infinity), as OSRM. */
  radius?: number;
  /** Per point: sources, then destinations when they are given (null = radius). */
  radiuses?: (number | null)[];
  /** What NoSegment messages call each point (sources, then destinations): e.g. the URL's coordinate index. */
  coordinateNumbers?: number[];
  maxCells?: number;
  threads?: number;
  /** Multiplies every duration of the JSON answer (OSRM's scale_factor). */
  durationScale?: number;
  /** Also snap onto roads outside the largest strongly connected component (OSRM's snapping=any). */
  allowIsolated?: boolean;
  /** OSRM's fallback_speed (m/s) and fallback_coordinate: crow-fly estimates where no route exists. */
  fallback?: { speed: number; coordinate: 'input' | 'snapped' };
  /**
   * Rows and columns of the answer as indices into sources/destinations, when the request repeats
   * points: the distinct ones are computed once and the answer is expanded while it is written.
   */
  sourceOrder?: number[];
  destinationOrder?: number[];
  /** Refuse (TooBig) an answer longer than this many bytes of JSON. */
  maxBytes?: number;
  /** Per point (sources, then destinations): a previous snap to reuse (OSRM hints; another map version's are dropped), or null. */
  hints?: ({ checksum: string; edge: number; fraction: number } | null)[];
  /** Per point: direction wanted, value and range pairs (range -1 = none). */
  bearings?: Float64Array;
  /** Per point: 0 unrestricted, 1 curb, 2 opposite. */
  approaches?: Float64Array;
  /** Points come back with their road and position (for hints). */
  snapDetails?: boolean;
}

export interface MatrixPoint {
  location: LonLat;
  /** Metres from the requested coordinate to the road. */
  distance: number;
  name: string;
}

export interface MatrixResponse {
  durations?: (number | null)[][];
  distances?: (number | null)[][];
  sources: MatrixPoint[];
  destinations: MatrixPoint[];
}

export interface PairsRequest {
  locations: LonLat[];
  pairs: [number, number][];
  annotations?: Annotation[];
  radius?: number;
  maxCells?: number;
  threads?: number;
}

export interface PairsResponse {
  durations?: (number | null)[];
  distances?: (number | null)[];
  locations: MatrixPoint[];
}

function point(s: NativeSnapSummary): MatrixPoint {
  return { location: s.location, distance: Math.round(s.distance * 100) / 100, name: s.name };
}

function cell(x: number, digits: number): number | null {
  if (Number.isNaN(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function rows(flat: Float64Array, cols: number, digits: number): (number | null)[][] {
  const out: (number | null)[][] = [];
  for (let r = 0; r * cols < flat.length; r++) {
    const row: (number | null)[] = new Array(cols);
    for (let c = 0; c < cols; c++) row[c] = cell(flat[r * cols + c], digits);
    out.push(row);
  }
  return out;
}

/** Hints of this map version (the others dropped: those points snap afresh), bearings, approaches. */
function snapWishesOf(map: MapHandle, req: MatrixRequest) {
  const out: { hints?: Float64Array; bearings?: Float64Array; approaches?: Float64Array } = {};
  if (req.hints) {
    const checksum = native.mapHeader(map).checksum;
    if (req.hints.some((h) => h?.checksum === checksum)) out.hints = Float64Array.from(req.hints.flatMap((h) => (h && h.checksum === checksum ? [h.edge, h.fraction] : [-1, 0])));
  }
  if (req.bearings) out.bearings = req.bearings;
  if (req.approaches) out.approaches = req.approaches;
  return out;
}

function runMatrix(map: MapHandle, req: MatrixRequest) {
  const annotations = new Set(req.annotations ?? ['duration', 'distance']);
  if (annotations.size === 0) throw new WaymarkError('InvalidValue', 'annotations must name duration and/or distance');
  const sources = req.sources.length;
  const targets = req.destinations ? req.destinations.length : sources;
  return callNative(() =>
    observeNative('matrix.many_to_many', { 'waymark.sources': sources, 'waymark.targets': targets }, sources + (req.destinations ? targets : 0), (timings) =>
      native.matrix(map, flatCoordinates(req.sources), req.destinations ? flatCoordinates(req.destinations) : null, {
        ...radiusOptions(req),
        ...(req.coordinateNumbers ? { coordinateNumbers: Uint32Array.from(req.coordinateNumbers) } : {}),
        durations: annotations.has('duration'),
        ...(req.allowIsolated ? { allowIsolated: true } : {}),
        ...snapWishesOf(map, req),
        ...(req.snapDetails ? { snapDetails: true } : {}),
        distances: annotations.has('distance'),
        ...(req.maxCells !== undefined ? { maxCells: req.maxCells } : {}),
        ...(req.threads !== undefined ? { threads: req.threads } : {}),
        ...(timings ? { timings } : {}),
      }),
    ),
  );
}

function crowFlyMeters([lon1, lat1]: LonLat, [lon2, lat2]: LonLat): number {
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
}

export function matrixOnMap(map: MapHandle, req: MatrixRequest): MatrixResponse {
  const r = runMatrix(map, req);
  const out: MatrixResponse = { sources: r.sources.map(point), destinations: r.destinations.map(point) };
  if (r.durations) out.durations = rows(r.durations, r.cols, 1);
  if (r.distances) out.distances = rows(r.distances, r.cols, 1);
  return out;
}

export function matrixPairsOnMap(map: MapHandle, req: PairsRequest): PairsResponse {
  const annotations = new Set(req.annotations ?? ['duration', 'distance']);
  const pairs = new Uint32Array(req.pairs.length * 2);
  req.pairs.forEach(([a, b], i) => {
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0) {
      throw new WaymarkError('InvalidValue', `pair ${i} must hold two location indices`);
    }
    pairs[2 * i] = a;
    pairs[2 * i + 1] = b;
  });
  const r = callNative(() =>
    observeNative('matrix.many_to_many', { 'waymark.pairs': req.pairs.length }, req.locations.length, (timings) =>
      native.matrixPairs(map, flatCoordinates(req.locations), pairs, {
        ...radiusOptions(req),
        durations: annotations.has('duration'),
        distances: annotations.has('distance'),
        ...(req.maxCells !== undefined ? { maxCells: req.maxCells } : {}),
        ...(req.threads !== undefined ? { threads: req.threads } : {}),
        ...(timings ? { timings } : {}),
      }),
    ),
  );
  const out: PairsResponse = { locations: r.locations.map(point) };
  if (r.durations) out.durations = Array.from(r.durations, (x) => cell(x, 1));
  if (r.distances) out.distances = Array.from(r.distances, (x) => cell(x, 1));
  return out;
}

/** JSON rows of a matrix with rows and columns picked (and repeated) by index; each distinct row is written once. */
function orderedRowsJson(flat: Float64Array, cols: number, rowOrder: number[], colOrder: number[]): string {
  const written = new Map<number, string>();
  const row = new Float64Array(colOrder.length);
  const parts: string[] = new Array(rowOrder.length);
  rowOrder.forEach((r, i) => {
    let text = written.get(r);
    if (text === undefined) {
      for (let c = 0; c < colOrder.length; c++) row[c] = flat[r * cols + colOrder[c]];
      text = native.matrixRowsJson(row, colOrder.length).slice(1, -1);
      written.set(r, text);
    }
    parts[i] = text;
  });
  return `[${parts.join(',')}]`;
}

/** The same answer as matrixOnMap, as JSON text (the server's path: no nested arrays built). */
export function matrixJsonOnMap(
  map: MapHandle,
  req: MatrixRequest,
  extra: Record<string, unknown> = {},
  mapPoint: (p: MatrixPoint, snap: NativeSnapSummary & { edge?: number; fraction?: number }) => unknown = (p) => p,
  withPoints = true,
): string {
  const r = runMatrix(map, req);
  return observePhase(
    'serialize',
    () => {
      const parts: string[] = [];
      for (const [k, v] of Object.entries(extra)) parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
      const sources = r.sources.map((s) => mapPoint(point(s), s));
      const destinations = r.destinations.map((s) => mapPoint(point(s), s));
      // Requested rows/columns as indices of the distinct points computed (repeats written, not recomputed).
      const rowOrder = req.sourceOrder;
      const colOrder = req.destinationOrder;
      if (withPoints) {
        parts.push(`"sources":${JSON.stringify(rowOrder ? rowOrder.map((i) => sources[i]) : sources)}`);
        parts.push(`"destinations":${JSON.stringify(colOrder ? colOrder.map((i) => destinations[i]) : destinations)}`);
      }
      if (req.fallback) {
        // Cells without a route get the crow-fly distance and that distance at the fallback speed.
        const fallback = req.fallback;
        const src = fallback.coordinate === 'input' ? req.sources : r.sources.map((p) => p.location);
        const dst = fallback.coordinate === 'input' ? (req.destinations ?? req.sources) : r.destinations.map((p) => p.location);
        const filled = new Set<number>();
        for (let i = 0; i < r.rows; i++) {
          for (let j = 0; j < r.cols; j++) {
            const k = i * r.cols + j;
            const missing = r.durations ? Number.isNaN(r.durations[k]) : r.distances ? Number.isNaN(r.distances[k]) : false;
            if (!missing) continue;
            const meters = crowFlyMeters(src[i], dst[j]);
            if (r.durations) r.durations[k] = meters / fallback.speed;
            if (r.distances) r.distances[k] = meters;
            filled.add(k);
          }
        }
        // Reported in the requested numbering.
        const cells: [number, number][] = [];
        const rowsOut = rowOrder ?? sources.map((_, i) => i);
        const colsOut = colOrder ?? destinations.map((_, i) => i);
        if (filled.size > 0) rowsOut.forEach((ri, i) => colsOut.forEach((cj, j) => filled.has(ri * r.cols + cj) && cells.push([i, j])));
        if (cells.length > 0) parts.push(`"fallback_speed_cells":${JSON.stringify(cells)}`);
      }
      if (r.durations && req.durationScale !== undefined && req.durationScale !== 1) {
        for (let i = 0; i < r.durations.length; i++) r.durations[i] *= req.durationScale;
      }
      const rows = (flat: Float64Array) =>
        rowOrder || colOrder
          ? orderedRowsJson(flat, r.cols, rowOrder ?? sources.map((_, i) => i), colOrder ?? destinations.map((_, i) => i))
          : native.matrixRowsJson(flat, r.cols);
      let bytes = parts.reduce((n, p) => n + p.length, 0);
      const limit = req.maxBytes ?? Infinity;
      for (const [key, flat] of [['durations', r.durations], ['distances', r.distances]] as const) {
        if (!flat) continue;
        const text = rows(flat);
        bytes += text.length;
        if (bytes > limit) throw new WaymarkError('TooBig', `the answer would be ${bytes} bytes or more, over the limit of ${limit}`);
        parts.push(`"${key}":${text}`);
      }
      return '{' + parts.join(',') + '}';
    },
    (json) => ({ 'waymark.bytes': json.length }),
  );
}

/**
 * Bytes an answer of this many cells and points is expected to take, written before computing so a
 * request that cannot fit is refused at once: 8 bytes per cell per annotation ("1234.5," plus
 * slack), 200 per waypoint object.
 */
export function estimatedAnswerBytes(rows: number, cols: number, annotations: number): number {
  return rows * cols * annotations * 8 + (rows + cols) * 200;
}

/** The same for a sparse answer: 8 bytes per pair per annotation, 200 per location. */
export function estimatedPairsAnswerBytes(locations: number, pairs: number, annotations: number): number {
  return pairs * annotations * 8 + locations * 200;
}

/** Distinct values of a list in first-seen order, and each entry's position among them. */
export function distinctOrder(indices: number[]): { distinct: number[]; order: number[] } {
  const position = new Map<number, number>();
  const distinct: number[] = [];
  const order = indices.map((i) => {
    let p = position.get(i);
    if (p === undefined) {
      p = distinct.length;
      distinct.push(i);
      position.set(i, p);
    }
    return p;
  });
  return { distinct, order };
}
