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
  secondsGraph: number;
  secondsWrite: number;
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
  openMap(path: string): MapHandle;
  mapHeader(map: MapHandle): MapHeader;
  mapSection<K extends keyof SectionKinds>(map: MapHandle, name: string, kind: K): SectionKinds[K];
  roadClassNames(): string[];
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

export const native: NativeAddon = require(join(root, 'build', 'Release', 'waymark.node')) as NativeAddon;
