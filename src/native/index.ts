/**
 * The typed surface of the native addon. Everything routing-heavy happens behind these few
 * functions; they take and return typed arrays and opaque handles.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProfileTable } from '../profiles/types.js';

declare const importerBrand: unique symbol;
declare const mapBrand: unique symbol;
/** An import session in native memory. */
export type ImporterHandle = { readonly [importerBrand]: true };
/** A loaded, memory-mapped map; shared by every thread of the process. */
export type MapHandle = { readonly [mapBrand]: true };

export interface ImportStats {
  osmNodes: number;
  osmWays: number;
  osmRelations: number;
  routableWays: number;
  missingNodeRefs: number;
  restrictionsRead: number;
  restrictionsIncomplete: number;
}

export interface BuildSummary {
  import: ImportStats;
  graph: {
    osmNodesUsed: number;
    edgesBeforeCompression: number;
    edgesAfterCompression: number;
    nodesDroppedOutsideLargestComponent: number;
    edgesDroppedOutsideLargestComponent: number;
    restrictionsMapped: number;
    restrictionsUnmapped: number;
    viaWayRestrictions: number;
  };
  nodes: number;
  edges: number;
  restrictions: number;
  fileBytes: number;
  segments: number;
  turns: number;
  chArcs: number;
  secondsGraph: number;
  secondsEdgeBased: number;
  secondsContraction: number;
  secondsSnapIndex: number;
  secondsWrite: number;
}

/** A coordinate snapped onto the nearest routable road. */
export interface NativeSnap {
  location: [number, number];
  /** Metres from the input coordinate. */
  distance: number;
  name: string;
  edge: number;
  fraction: number;
}

export interface SnapOptions {
  /** Snapping radius in metres (default 1000). */
  radius?: number;
  /** Per-coordinate radii, overriding `radius`. */
  radiuses?: Float64Array;
  /** Also snap to roads outside the largest strongly connected component (routes may then fail with NoRoute). */
  allowIsolated?: boolean;
}

export interface MatrixOptions extends SnapOptions {
  /** Compute durations (default true). */
  durations?: boolean;
  /** Compute distances (default true). */
  distances?: boolean;
  /** Threads inside the call (0 = all cores). */
  threads?: number;
  /** Refuse larger requests with TooBig before allocating anything (default 25,000,000). */
  maxCells?: number;
}

/** Row-major matrices: durations in seconds, distances in metres, NaN where unreachable. */
export interface NativeMatrix {
  durations?: Float64Array;
  distances?: Float64Array;
  sources: NativeSnapSummary[];
  destinations: NativeSnapSummary[];
  rows: number;
  cols: number;
}

export interface NativeMatrixPairs {
  durations?: Float64Array;
  distances?: Float64Array;
  locations: NativeSnapSummary[];
}

export interface NativeSnapSummary {
  location: [number, number];
  distance: number;
  name: string;
}

export interface NativeRoute {
  /** Seconds. */
  duration: number;
  /** Metres. */
  distance: number;
  /** lon, lat pairs (empty without geometry). */
  geometry: Float64Array;
  legs: { duration: number; distance: number; names: string[]; geometryBegin: number; geometryEnd: number }[];
  waypoints: NativeSnap[];
  settled: number;
}

export interface MapHeader {
  path: string;
  formatVersion: number;
  fileBytes: number;
  checksum: string;
  profile: string;
  sourceName: string;
  sourceTimestamp: string;
  buildTimeUnixMs: number;
  bbox: [number, number, number, number];
  counts: {
    nodes: number;
    edges: number;
    shapePoints: number;
    names: number;
    restrictions: number;
    viaWayRestrictions: number;
    segments: number;
    turns: number;
    chArcs: number;
  };
  sections: { name: string; bytes: number; elementSize: number }[];
}

interface SectionKinds {
  u8: Uint8Array;
  i32: Int32Array;
  u32: Uint32Array;
  f64: Float64Array;
  i64: BigInt64Array;
}

export type ProgressCallback = (step: string, done: number, total: number) => void;

export interface NativeAddon {
  createImporter(profile: ProfileTable): ImporterHandle;
  importerPush(importer: ImporterHandle, chunk: Uint8Array): void;
  importerStats(importer: ImporterHandle): ImportStats & { bytes: number; lines: number };
  importerFinish(
    importer: ImporterHandle,
    options: { output: string; sourceName: string; sourceTimestamp: string; threads?: number },
    onProgress?: ProgressCallback,
  ): Promise<BuildSummary>;
  /** Opens a map; with a checksum, exactly that version (still open somewhere in the process, or on disk). */
  openMap(path: string, checksum?: string): MapHandle;
  /** Drops this handle's reference at once; the mapping goes when no handle in any thread uses it. */
  releaseMap(map: MapHandle): void;
  mapHeader(map: MapHandle): MapHeader;
  mapSection<K extends keyof SectionKinds>(map: MapHandle, name: string, kind: K): SectionKinds[K];
  roadClassNames(): string[];
  snap(map: MapHandle, coordinates: Float64Array, options?: SnapOptions): NativeSnap[];
  route(map: MapHandle, coordinates: Float64Array, options?: SnapOptions & { geometry?: boolean }): NativeRoute;
  /** Plain Dijkstra on the turn graph (the oracle): exactly two coordinates. */
  referenceRoute(map: MapHandle, coordinates: Float64Array, options?: SnapOptions): { duration: number; distance: number; settled: number };
  randomRoadPoints(map: MapHandle, count: number, seed: number): Float64Array;
  matrix(map: MapHandle, sources: Float64Array, destinations: Float64Array | null, options?: MatrixOptions): NativeMatrix;
  matrixPairs(map: MapHandle, locations: Float64Array, pairs: Uint32Array, options?: MatrixOptions): NativeMatrixPairs;
  /** One-to-all plain Dijkstra per source (the oracle). */
  referenceTable(map: MapHandle, sources: Float64Array, destinations: Float64Array, options?: SnapOptions): { durations: Float64Array; distances: Float64Array };
  /** JSON rows of a row-major matrix: numbers rounded to 0.1, NaN as null. */
  matrixRowsJson(values: Float64Array, columns: number): string;
  benchRoutes(map: MapHandle, pairs: Float64Array, mode: 'ch' | 'dijkstra' | 'snap'): { micros: Float64Array; durations: Float64Array; settled: Float64Array };
}

/** Errors thrown by the addon carry a machine-readable code. */
export interface NativeError extends Error {
  code: string;
}

export function isNativeError(e: unknown): e is NativeError {
  return e instanceof Error && typeof (e as NativeError).code === 'string';
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const require = createRequire(import.meta.url);

// WAYMARK_ADDON picks another build of the addon (scripts/build-asan.sh: the sanitizer build).
export const native: NativeAddon = require(process.env.WAYMARK_ADDON ?? join(root, 'build', 'Release', 'waymark.node')) as NativeAddon;
