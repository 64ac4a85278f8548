/**
 * The typed surface of the native addon. Everything routing-heavy happens behind these few
 * functions; they take and return typed arrays and opaque handles.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProfileTable } from '../profiles/types.js';
import type { NativeTimings } from '../telemetry/phases.js';

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
  restrictionsOnRed: number;
  restrictionsConditional: number;
  restrictionsExcepted: number;
  restrictionsOtherVehicle: number;
  restrictionsUnknownValue: number;
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
    restrictionsApplied: number;
    restrictionsUnmapped: number;
    restrictionsAmbiguous: number;
    restrictionsDisconnected: number;
    restrictionsMapped: number;
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
  /** CPU seconds of every thread of the process during the contraction. */
  cpuSecondsContraction: number;
  /** Shortcut arcs the contraction added (chArcs counts them with the original turns). */
  chShortcuts: number;
  /** Wall seconds of the contraction's parts (witness searches of contracted nodes, priority simulations, ...). */
  contractionPhases: {
    rounds: number;
    priorityUpdates: number;
    secondsInitialPriorities: number;
    secondsSelect: number;
    secondsWitness: number;
    secondsApply: number;
    secondsPriorityUpdates: number;
    secondsFinish: number;
  };
  /** Metric-independent customizable-CH preprocessing (nested dissection, chordal supergraph). */
  secondsCch: number;
  cchArcs: number;
  secondsSnapIndex: number;
  secondsWrite: number;
}

/** A customization of the map's customizable contraction hierarchy (native/cch). */
export interface CCHMetricOptions {
  weights?: Uint32Array;
  perfect?: boolean;
  /** 0 = all cores. */
  threads?: number;
  /** Tests: scheduling knobs that reach every multi-threaded path on a small map. */
  splitLowerNeighbours?: number;
  minTaskNodes?: number;
}

export interface CCHBenchFigures {
  /** buildMs, buildCpuMs, sameAsMap: absent with preprocess: false. */
  topology: { buildMs?: number; buildCpuMs?: number; sameAsMap?: boolean; nodes: number; arcs: number; bytes: number; treeHeight: number; chArcs: number };
  customize: { threads: number; perfect: boolean; wallMs: number; cpuMs: number; arcs: number }[];
  query: Record<'ch' | 'cchBasic' | 'cchPerfect', { p50Us: number; mismatches: number }>;
  matrix: { size: number; ch: { wallMs: number; cpuMs: number }; cchPerfect: { wallMs: number; cpuMs: number }; sameSum: boolean }[];
}

/** A coordinate snapped onto the nearest routable road. */
export interface NativeSnap {
  location: [number, number];
  /** Metres from the input coordinate. */
  distance: number;
  name: string;
  edge: number;
  fraction: number;
  /** OSM node ids of the two ends of the road segment it lies on, in the edge's direction. */
  nodes: [number, number];
}

export interface SnapOptions {
  /** Snapping radius in metres (default Infinity: the nearest road, wherever it is within the map's area). */
  radius?: number;
  /** Per-coordinate radii, overriding `radius` (for a rectangular matrix: sources, then destinations). */
  radiuses?: Float64Array;
  /** The number each coordinate is called by in NoSegment messages (default: its position). */
  coordinateNumbers?: Uint32Array;
  /** Also snap to roads outside the largest strongly connected component (routes may then fail with NoRoute). */
  allowIsolated?: boolean;
  /** Per coordinate: edge, fraction of a previous snap to reuse (edge -1: snap afresh). Unusable ones are ignored. */
  hints?: Float64Array;
  /** Per coordinate value, range in degrees (range -1: none): snap to a road drivable that way, and use only that direction. */
  bearings?: Float64Array;
  /** Per coordinate 0 unrestricted, 1 curb (the point on the kerb side of the map's traffic), 2 opposite. */
  approaches?: Float64Array;
}

export interface MatrixOptions extends SnapOptions {
  /** Compute durations (default true). */
  durations?: boolean;
  /** Compute distances (default true). */
  distances?: boolean;
  /** Threads inside the call (0 = all cores). */
  threads?: number;
  /**
   * Many-to-many method (default 'auto': RPHAST from 16 sources and 16 destinations on, else buckets;
   * matrixPairs with few pairs then uses point-to-point queries). The results are the same.
   */
  method?: 'auto' | 'buckets' | 'rphast';
  /** Refuse larger requests with TooBig before allocating anything (default 25,000,000). */
  maxCells?: number;
  /** Report the call's phase timings and counters (for tracing). */
  timings?: boolean;
  /** Sources and destinations also give their road and position (edge, fraction: what hints hold). */
  snapDetails?: boolean;
}

/** Row-major matrices: durations in seconds, distances in metres, NaN where unreachable. */
export interface NativeMatrix {
  durations?: Float64Array;
  distances?: Float64Array;
  sources: NativeSnapSummary[];
  destinations: NativeSnapSummary[];
  rows: number;
  cols: number;
  timings?: NativeTimings;
}

export interface NativeMatrixPairs {
  durations?: Float64Array;
  distances?: Float64Array;
  locations: NativeSnapSummary[];
  timings?: NativeTimings;
}

export interface NativeSnapSummary {
  location: [number, number];
  distance: number;
  name: string;
}

export interface NativeRoute {
  /** Seconds. */
  duration: number;
  /** What the metric minimised (= duration unless a custom model). */
  weight: number;
  /** Metres. */
  distance: number;
  /** lon, lat pairs (empty without geometry). */
  geometry: Float64Array;
  legs: {
    duration: number;
    distance: number;
    weight: number;
    names: string[];
    geometryBegin: number;
    geometryEnd: number;
    /** With `pieces`: per road piece, first and last coordinate index (inclusive), seconds, metres. */
    pieces?: Float64Array;
    /** With `osmNodes`: the OSM node id of each coordinate of the leg (OSRM's annotation.nodes). */
    osmNodes?: Float64Array;
  }[];
  waypoints: NativeSnap[];
  settled: number;
  /** With `steps`: one "leg" of steps per pair of consecutive `waypoints` (default: per leg). */
  steps?: NativeSteps;
  /** With `alternatives`: the alternative routes found (possibly none), best first. */
  alternatives?: NativeRoute[];
  timings?: NativeTimings;
}


/** The road layer of a map, as flat arrays (edge e's points are offsets[e] .. offsets[e + 1] - 1). */
export interface RoadEdges {
  offsets: Uint32Array;
  /** lon, lat pairs in degrees. */
  coordinates: Float64Array;
  /** Index into roadClassNames(). */
  roadClass: Uint8Array;
  /** Index into names ('' when the road has no name). */
  nameId: Uint32Array;
  /** 1: travelled only in coordinate order. */
  oneway: Uint8Array;
  names: string[];
}

/**
 * Turn-by-turn steps of every leg of a route, packed (native/binding/steps_to_js.h): per step
 * STEP_FIELDS numbers (type, modifier, exit, lon, lat, bearing before, after, name index, ferry,
 * seconds, metres, first and last coordinate of the route geometry, intersections end), per
 * intersection INTERSECTION_FIELDS numbers (lon, lat, in, out, bearings end).
 */
export interface NativeSteps {
  /** The steps of leg k are legEnd[k - 1] (0 for k = 0) .. legEnd[k] - 1. */
  legEnd: Uint32Array;
  numbers: Float64Array;
  intersections: Float64Array;
  bearings: Uint16Array;
  /** Per bearing: 1 when the road may be entered. */
  entry: Uint8Array;
  names: string[];
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
  /** The side traffic keeps to (steps' driving_side; the kerb of approaches=curb). */
  drivingSide: 'left' | 'right';
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
    /** Edge-based segments duplicated along via-way restriction paths. */
    segmentCopies: number;
  };
  /** Turn restriction relations of the source by fate (what `waymark info` prints). */
  restrictions: {
    read: number;
    applied: number;
    ignored: {
      onRed: number;
      conditional: number;
      excepted: number;
      otherVehicle: number;
      unknownValue: number;
      incomplete: number;
      unmapped: number;
      ambiguous: number;
      disconnected: number;
    };
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

export type PhastDirection = 'forward' | 'reverse';

export type ProgressCallback = (step: string, done: number, total: number) => void;

export interface NativeAddon {
  createImporter(profile: ProfileTable): ImporterHandle;
  importerPush(importer: ImporterHandle, chunk: Uint8Array): void;
  importerStats(importer: ImporterHandle): ImportStats & { bytes: number; lines: number };
  /** Up to `count` way node locations read so far, evenly spread (lon, lat pairs). */
  importerSample(importer: ImporterHandle, count: number): Float64Array;
  importerFinish(
    importer: ImporterHandle,
    options: { output: string; sourceName: string; sourceTimestamp: string; threads?: number; keepAllComponents?: boolean; drivingSide?: 'left' | 'right' },
    onProgress?: ProgressCallback,
  ): Promise<BuildSummary>;
  /** Opens a map; with a checksum, exactly that version (still open somewhere in the process, or on disk). */
  openMap(path: string, checksum?: string): MapHandle;
  /** Drops this handle's reference at once; the mapping goes when no handle in any thread uses it. */
  releaseMap(map: MapHandle): void;
  mapHeader(map: MapHandle): MapHeader;
  mapSection<K extends keyof SectionKinds>(map: MapHandle, name: string, kind: K): SectionKinds[K];
  roadClassNames(): string[];
  /** Names of the one-byte edge attributes by value (sections edge_class, edge_surface, edge_access). */
  edgeAttributeNames(): { roadClass: string[]; surface: string[]; roadAccess: string[] };
  /** Every road edge of the map, for drawing: polylines, class, name and one-way flag. */
  roadEdges(map: MapHandle): RoadEdges;
  snap(map: MapHandle, coordinates: Float64Array, options?: SnapOptions): NativeSnap[];
  /** Lenient: a coordinate that cannot be snapped gives { error } instead of failing the call. */
  snap(map: MapHandle, coordinates: Float64Array, options: SnapOptions & { lenient: true }): (NativeSnap | { error: { code: string; message: string } })[];
    /** The `number` nearest distinct roads to one coordinate (lon, lat), nearest first. */
  snapNearest(map: MapHandle, coordinate: Float64Array, options?: SnapOptions & { number?: number }): NativeSnap[];
  /** `steps`: turn-by-turn steps per leg; `pieces`: the road pieces per leg (both imply the geometry). */
  route(map: MapHandle, coordinates: Float64Array, options?: SnapOptions & { geometry?: boolean; steps?: boolean; waypoints?: Uint32Array; pieces?: boolean; osmNodes?: boolean; alternatives?: number; continueStraight?: boolean; timings?: boolean }): NativeRoute;
  /** Plain Dijkstra on the turn graph (the oracle): exactly two coordinates. */
  referenceRoute(map: MapHandle, coordinates: Float64Array, options?: SnapOptions): { duration: number; distance: number; settled: number };
  randomRoadPoints(map: MapHandle, count: number, seed: number): Float64Array;
  /** Tests' snapping oracle: each point snapped as `snap` does by default, by scanning every road; per point edge, fraction, distance (NaN when none within the radius). */
  referenceSnap(map: MapHandle, coordinates: Float64Array, radius: number): Float64Array;
  /** OSRM's maneuver types and modifiers by their native values (NativeSteps numbers). */
  maneuverNames(): { types: string[]; modifiers: string[] };
  matrix(map: MapHandle, sources: Float64Array, destinations: Float64Array | null, options?: MatrixOptions): NativeMatrix;
  matrixPairs(map: MapHandle, locations: Float64Array, pairs: Uint32Array, options?: MatrixOptions): NativeMatrixPairs;
  /** One-to-all plain Dijkstra per source (the oracle). */
  referenceTable(map: MapHandle, sources: Float64Array, destinations: Float64Array, options?: SnapOptions): { durations: Float64Array; distances: Float64Array };
  /** JSON rows of a row-major matrix: numbers rounded to 0.1, NaN as null. */
  matrixRowsJson(values: Float64Array, columns: number): string;
  /** HMM map matching of a GPS trace (native/match/). */
  match(map: MapHandle, coordinates: Float64Array, options?: NativeMatchOptions): NativeMatch;
  /** Directed segments of the fastest route through the points (ground truth for matching tests). */
  routeSegments(map: MapHandle, coordinates: Float64Array): { segments: Uint32Array; from: Float64Array; to: Float64Array; metres: Float64Array };
  /** Per pair: micros in all (snap both ends + search), snapMicros of that; cpuMicros of the whole loop (thread CPU time). */
  benchRoutes(
    map: MapHandle,
    pairs: Float64Array,
    mode: 'ch' | 'dijkstra' | 'snap',
  ): {
    micros: Float64Array;
    snapMicros: Float64Array;
    durations: Float64Array;
    settled: Float64Array;
    cpuMicros: number;
    /** Summed over the CH searches ('ch' mode; zeros otherwise): settled nodes (stalled included), stalled, arcs read by stall tests, arcs scanned to relax, labels pushed. */
    chCounts: {
      settled: number;
      stalled: number;
      stallArcs: number;
      relaxArcs: number;
      pushes: number;
      /** Transit table (native/transit): labels given to core nodes, table entries read, answers through the table. */
      coreLabels: number;
      corePairs: number;
      corePaths: number;
    };
  };
  /**
   * Tests only (native/cch): customizes the map's CCH with `weights` (ms per turn, 0xffffffff = closed; the map's own if absent), then per
   * segment pair the ms from the start of sources[i] to the start of targets[i] (NaN: no path) on it and on the map's CH, and the unpacked paths.
   */
  cchCheck(map: MapHandle, options: CCHMetricOptions & { sources: Uint32Array; targets: Uint32Array; paths?: boolean }): {
    durations: Float64Array; distances: Float64Array; chDurations: Float64Array; pathFirst: Uint32Array; pathSegments: Uint32Array; arcs: number; customizeMs: number;
  };
  /** Tests only: the map's own weights customized, a points x points table of seconds by bucket many-to-many or PHAST on the result. */
  cchTable(map: MapHandle, points: Float64Array, options: CCHMetricOptions & SnapOptions & { method: 'matrix' | 'phast' }): Float64Array;
  /** `waymark bench cch` figures (native/cch): preprocessing, customization, queries and matrices on the customized metric vs the map's CH. */
  cchBench(map: MapHandle, options: { threads?: number[]; rounds?: number; queries?: number; matrixSizes?: number[]; seed?: number; preprocess?: boolean }): CCHBenchFigures;
  /** Tests only: recomputes a map file's checksum in place (after a test edited a section). */
  resealMapFile(path: string): void;
  /**
   * PHAST around one point: per limit (seconds or metres), the reached road pieces as linestrings (parts[k]..parts[k+1] are piece k's
   * pairs; none with lines: false); with sampleStep (m), points along the network within the largest limit as lon, lat, cost triples.
   */
  isochrone(
    map: MapHandle,
    location: Float64Array,
    options: SnapOptions & { direction?: PhastDirection; metric?: 'duration' | 'distance'; limits: Float64Array; lines?: boolean; sampleStep?: number },
  ): { location: NativeSnapSummary; contours: { coordinates: Float64Array; parts: Uint32Array }[]; samples?: Float64Array };
  /** One PHAST around center: forward center -> others, reverse others -> center; NaN when unreachable or not snapped (snapped[i] = 0). */
  oneToMany(
    map: MapHandle,
    center: Float64Array,
    others: Float64Array,
    options: SnapOptions & { direction?: PhastDirection; othersRadius?: number },
  ): { center: NativeSnapSummary; durations: Float64Array; distances: Float64Array; snapped: Uint8Array };
  /** One PHAST per center, in parallel: row c is center c -> others (forward) or others -> center c (reverse); wall and thread-CPU micros per run. */
  phastTable(
    map: MapHandle,
    centers: Float64Array,
    others: Float64Array,
    options: SnapOptions & { direction?: PhastDirection; threads?: number },
  ): { durations: Float64Array; distances: Float64Array; micros: Float64Array; cpuMicros: Float64Array };
  /**
   * The metric `key` of a map or metric handle (src/routing/metric.ts): built from `spec` on first use and cached process-wide
   * (bounded LRU); without spec, only found (null when not built). The handle answers every query of a map handle.
   */
  metricOf(map: MapHandle, key: string, spec?: MetricSpec): MapHandle | null;
  /** What a handle is: null for a map's own weights. */
  metricInfo(map: MapHandle): { key: string; version: number; customizeMs: number; weightIsTravelTime: boolean } | null;
  /** Metric cache counters; sets its bound when given. */
  metricCache(capacity?: number): { entries: number; capacity: number; hits: number; misses: number };
  /** Drops an installed metric (a live-traffic one) and what was derived from it; requests holding it finish on it. */
  metricUnpin(map: MapHandle, key: string): boolean;
  /** A live-traffic update of a map's own weights (native/metric/traffic.h): push the CSV bytes, then finish. */
  trafficCreate(map: MapHandle): TrafficHandle;
  /** Parses the chunk's complete lines; InvalidTrafficFile names a malformed line (the update is then over). */
  trafficPush(update: TrafficHandle, chunk: Uint8Array): TrafficStats;
  /** Customizes on a background thread; the metric is installed process-wide as "traffic:<version>" of the map. */
  trafficFinish(update: TrafficHandle, version: number): Promise<{ metric: MapHandle; stats: TrafficStats; customizeMs: number }>;
  /** Writes a metric handle to a metric file (native/metric/metric_file.h): its weights and customized hierarchy. */
  metricWrite(metric: MapHandle, path: string, info: { stats?: TrafficStats; version?: number; createdAtMs?: number }): { bytes: number; writeMs: number };
  /**
   * Reads and validates a metric file for a map's own weights on a background thread (no customization); installed process-wide as
   * "traffic:<version>" of the map, as trafficFinish does. MetricNotFound, MetricCorrupt, MetricVersionUnsupported, MetricMismatch.
   */
  metricLoad(
    map: MapHandle,
    path: string,
    version: number,
  ): Promise<{ metric: MapHandle; stats: TrafficStats; trafficVersion: number; createdAtMs: number; customizeMs: number; loadMs: number; bytes: number }>;
  /** Snapped lon, lat per point; NaN where no road is within the radius. */
  snapEach(map: MapHandle, coordinates: Float64Array, options: { radius?: number }): Float64Array;
}

declare const trafficBrand: unique symbol;
/** A live-traffic update being read. */
export type TrafficHandle = { readonly [trafficBrand]: true };

export interface TrafficStats {
  lines: number;
  speedLines: number;
  turnLines: number;
  /** Speed lines naming a node pair that is no drivable OSM segment of the map. */
  unknownSegments: number;
  unknownTurns: number;
  /** Directed OSM segments of the map that can be driven, and how many of them got a speed. */
  osmSegments: number;
  osmSegmentsSet: number;
  roadSegmentsChanged: number;
  closedSegments: number;
  turnsChanged: number;
}

/** Other weights for a map: excluded classes and/or a compiled custom model (one value per edge). */
export interface MetricSpec {
  exclude?: string[];
  speedFactor?: Float64Array;
  speedLimit?: Float64Array;
  priority?: Float64Array;
  /** Seconds per km. */
  distanceInfluence?: number;
}

export interface NativeMatchOptions {
  /** GPS error (sigma, metres) per point; the default `sigma` where absent. */
  radiuses?: Float64Array;
  /** Seconds per point, non-decreasing. */
  timestamps?: Float64Array;
  sigma?: number;
  searchRadiusFactor?: number;
  beta?: number;
  maxDetour?: number;
  maxGap?: number;
  maxSpeed?: number;
  maxCandidates?: number;
  splitGaps?: boolean;
  /** Tests: check every transition against plain Dijkstra (slow). */
  verifyTransitions?: boolean;
  geometry?: boolean;
  /** Also return each leg's directed segments and end fractions (tests). */
  segments?: boolean;
  /** Turn-by-turn steps per leg (between consecutive matched waypoints). */
  steps?: boolean;
  /** Per leg: the OSM node id of each coordinate (OSRM's annotation.nodes). */
  osmNodes?: boolean;
  /** Steps: the point indices that end legs besides each matching's ends (default: every point). */
  waypoints?: Float64Array;
}

export interface NativeMatchLeg {
  duration: number;
  distance: number;
  names: string[];
  geometryBegin: number;
  geometryEnd: number;
  /** Per coordinate pair of the leg's geometry: metres and seconds. */
  pairDistance: Float64Array;
  pairDuration: Float64Array;
  /** With `osmNodes`: per coordinate of the leg. */
  osmNodes?: Float64Array;
  segments?: Uint32Array;
  startFraction?: number;
  endFraction?: number;
}

export interface NativeMatching {
  /** Input indices of the matched points, in order. */
  points: Uint32Array;
  duration: number;
  distance: number;
  /** Great-circle length of the trace between its matched points. */
  traceDistance: number;
  logProbability: number;
  geometry: Float64Array;
  legs: NativeMatchLeg[];
  /** With `steps`: per leg (between waypoints), indexing into stepGeometry. */
  steps?: NativeSteps;
  stepGeometry?: Float64Array;
}

export interface NativeTracepoint {
  location: [number, number];
  distance: number;
  name: string;
  matching: number;
  index: number;
  alternatives: number;
}

export interface NativeMatch {
  tracepoints: (NativeTracepoint | null)[];
  matchings: NativeMatching[];
  settled: number;
  /** Transitions checked against plain Dijkstra (verifyTransitions). */
  verified: number;
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
