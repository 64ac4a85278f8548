/**
 * Vector tiles of a map's roads, cut from the map file itself: the native core hands over every road
 * edge (polyline, class, name, one-way flag), geojson-vt indexes them once per map version, and each
 * tile is encoded (vt-pbf) on first request and kept in a bounded LRU keyed by map version, so a
 * swapped map never serves stale tiles. Indexing and cutting run on a worker thread (see
 * tile-worker.ts): indexing a large map takes seconds, which the event loop must not spend.
 */
import type { Feature, FeatureCollection, LineString, Position } from 'geojson';
import GeoJSONVT from 'geojson-vt';
import { Worker } from 'node:worker_threads';
import { fromGeojsonVt } from 'vt-pbf';
import { native, type MapHandle } from '../native/index.js';

/** The one layer of a road tile. */
export const ROAD_LAYER = 'roads';
/** The deepest zoom the endpoint cuts (z above is a 400); the page's style over-zooms from 16. */
export const TILE_MAX_ZOOM = 18;
const EXTENT = 4096;

/** Road features of a map as GeoJSON (what geojson-vt indexes). */
export function roadFeatures(map: MapHandle): FeatureCollection<LineString> {
  const edges = native.roadEdges(map);
  const classes = native.roadClassNames();
  const features: Feature<LineString>[] = [];
  for (let e = 0; e + 1 < edges.offsets.length; ++e) {
    const coordinates: Position[] = [];
    for (let p = edges.offsets[e]; p < edges.offsets[e + 1]; ++p) coordinates.push([edges.coordinates[2 * p], edges.coordinates[2 * p + 1]]);
    const properties: Record<string, string | number> = { class: classes[edges.roadClass[e]] ?? 'other', oneway: edges.oneway[e] };
    const name = edges.names[edges.nameId[e]];
    if (name) properties.name = name;
    features.push({ type: 'Feature', properties, geometry: { type: 'LineString', coordinates } });
  }
  return { type: 'FeatureCollection', features };
}

export function roadIndex(map: MapHandle): GeoJSONVT {
  return new GeoJSONVT(roadFeatures(map), { maxZoom: TILE_MAX_ZOOM, indexMaxZoom: 5, tolerance: 3, extent: EXTENT, buffer: 64 });
}

/** One tile as MVT bytes; zero bytes when no road crosses it. */
export function cutTile(index: GeoJSONVT, z: number, x: number, y: number): Uint8Array {
  const cut = index.getTile(z, x, y);
  return cut && cut.features.length > 0 ? fromGeojsonVt({ [ROAD_LAYER]: cut }, { version: 2, extent: EXTENT }) : new Uint8Array(0);
}

/** Which map version to cut: the file and checksum (a worker opens exactly that version). */
export interface TileSource {
  profile: string;
  path: string;
  version: string;
}

export interface CutResult {
  data: Uint8Array;
  /** Milliseconds to cut and encode (the index build excluded). */
  ms: number;
  /** Set when this request built the version's index. */
  indexMs?: number;
}

/** Cuts tiles of a map version; keeps one index per profile (the version it was last asked for). */
export interface TileCutter {
  cut(source: TileSource, z: number, x: number, y: number): Promise<CutResult>;
  close(): Promise<void>;
}

/** Cuts on the calling thread (benchmarks, tests of the cutter itself). */
export class InlineCutter implements TileCutter {
  private readonly indexes = new Map<string, { version: string; index: GeoJSONVT }>();

  async cut(source: TileSource, z: number, x: number, y: number): Promise<CutResult> {
    let indexMs: number | undefined;
    let entry = this.indexes.get(source.profile);
    if (!entry || entry.version !== source.version) {
      const started = performance.now();
      const handle = native.openMap(source.path, source.version);
      try {
        entry = { version: source.version, index: roadIndex(handle) };
      } finally {
        native.releaseMap(handle);
      }
      this.indexes.set(source.profile, entry);
      indexMs = performance.now() - started;
    }
    const started = performance.now();
    const data = cutTile(entry.index, z, x, y);
    return { data, ms: performance.now() - started, ...(indexMs === undefined ? {} : { indexMs }) };
  }

  async close(): Promise<void> {
    this.indexes.clear();
  }
}

interface Pending {
  resolve: (r: CutResult) => void;
  reject: (e: Error) => void;
}

/** Cuts on one worker thread, started on first use and again if it dies. */
export class WorkerCutter implements TileCutter {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./tile-worker.js', import.meta.url));
    worker.unref();
    worker.on('message', (m: { id: number; data?: Uint8Array; ms?: number; indexMs?: number; error?: { code: string; message: string } }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
      else p.resolve({ data: m.data!, ms: m.ms!, ...(m.indexMs === undefined ? {} : { indexMs: m.indexMs }) });
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(Object.assign(err, { code: 'TileWorkerFailed' }));
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the tile worker exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  cut(source: TileSource, z: number, x: number, y: number): Promise<CutResult> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<CutResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, source, z, x, y });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}

export interface TileStats {
  hits: number;
  misses: number;
  /** Conditional requests answered 304 (the client's copy is current; nothing cut or sent). */
  revalidated: number;
  /** Milliseconds to cut and encode each tile not found in the cache (the oldest dropped past 10,000). */
  generationMs: number[];
  /** Milliseconds to index each map version ("profile/version"). */
  indexBuildMs: Record<string, number>;
}

export interface TileAnswer {
  data: Uint8Array;
  cached: boolean;
  /** Milliseconds spent cutting this tile (0 when cached). */
  ms: number;
}

export class RoadTileCache {
  /** LRU: Map iteration order is insertion order; a hit re-inserts. */
  private readonly tiles = new Map<string, Uint8Array>();
  /** Tiles being cut: concurrent requests for one tile share the cut. */
  private readonly cutting = new Map<string, Promise<CutResult>>();
  private readonly versions = new Map<string, string>();
  private bytes = 0;
  readonly stats: TileStats = { hits: 0, misses: 0, revalidated: 0, generationMs: [], indexBuildMs: {} };

  constructor(
    private readonly cutter: TileCutter = new WorkerCutter(),
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  /** The encoded tile (possibly empty: zero bytes) of a profile's map at one version. */
  async tile(source: TileSource, z: number, x: number, y: number): Promise<TileAnswer> {
    if (this.versions.get(source.profile) !== source.version) this.dropProfile(source.profile, source.version);
    const key = `${source.profile}/${source.version}/${z}/${x}/${y}`;
    const hit = this.tiles.get(key);
    if (hit) {
      this.tiles.delete(key);
      this.tiles.set(key, hit);
      this.stats.hits++;
      return { data: hit, cached: true, ms: 0 };
    }
    let cut = this.cutting.get(key);
    if (!cut) {
      cut = this.cutter.cut(source, z, x, y).finally(() => this.cutting.delete(key));
      this.cutting.set(key, cut);
      const result = await cut;
      this.stats.misses++;
      this.stats.generationMs.push(result.ms);
      if (this.stats.generationMs.length > 10_000) this.stats.generationMs.shift();
      if (result.indexMs !== undefined) this.stats.indexBuildMs[`${source.profile}/${source.version}`] = result.indexMs;
      if (this.versions.get(source.profile) === source.version) this.store(key, result.data);
      return { data: result.data, cached: false, ms: result.ms };
    }
    const shared = await cut;
    this.stats.hits++;
    return { data: shared.data, cached: true, ms: 0 };
  }

  close(): Promise<void> {
    return this.cutter.close();
  }

  private store(key: string, data: Uint8Array): void {
    this.tiles.set(key, data);
    this.bytes += data.byteLength + key.length;
    for (const [k, v] of this.tiles) {
      if (this.bytes <= this.maxBytes) break;
      this.tiles.delete(k);
      this.bytes -= v.byteLength + k.length;
    }
  }

  /** A profile's map changed version: its old tiles go. */
  private dropProfile(profile: string, version: string): void {
    this.versions.set(profile, version);
    const prefix = `${profile}/`;
    for (const [k, v] of this.tiles) {
      if (k.startsWith(prefix)) {
        this.tiles.delete(k);
        this.bytes -= v.byteLength + k.length;
      }
    }
  }
}
