/**
 * Vector tiles of a map's roads, cut from the map file itself: the native core hands over every road
 * edge (polyline, class, name, one-way flag), geojson-vt indexes them once per map version, and each
 * tile is encoded (vt-pbf) on first request and kept in a bounded LRU keyed by map version, so a
 * swapped map never serves stale tiles.
 */
import type { Feature, FeatureCollection, LineString, Position } from 'geojson';
import GeoJSONVT from 'geojson-vt';
import { fromGeojsonVt } from 'vt-pbf';
import { native, type MapHandle } from '../native/index.js';

/** The one layer of a road tile, and the attributes of its features. */
export const ROAD_LAYER = 'roads';
/** The deepest zoom the endpoint cuts (z above is a 400); the page's style over-zooms from 16. */
export const TILE_MAX_ZOOM = 18;
const EXTENT = 4096;

interface RoadIndex {
  version: string;
  index: GeoJSONVT;
  features: number;
  buildMs: number;
}

export interface TileStats {
  hits: number;
  misses: number;
  /** Conditional requests answered 304 (the client's copy is current; nothing cut or sent). */
  revalidated: number;
  /** Milliseconds to cut and encode each tile not found in the cache (oldest dropped past 10,000). */
  generationMs: number[];
  indexBuildMs: Record<string, number>;
}

export interface TileAnswer {
  data: Uint8Array;
  cached: boolean;
}

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

export class RoadTileCache {
  private readonly indexes = new Map<string, RoadIndex>();
  /** LRU: Map iteration order is insertion order; a hit re-inserts. */
  private readonly tiles = new Map<string, Uint8Array>();
  private bytes = 0;
  readonly stats: TileStats = { hits: 0, misses: 0, revalidated: 0, generationMs: [], indexBuildMs: {} };

  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  /** The encoded tile (possibly empty: zero bytes) of a profile's map at one version. */
  tile(profile: string, version: string, map: MapHandle, z: number, x: number, y: number): TileAnswer {
    const key = `${profile}/${version}/${z}/${x}/${y}`;
    const hit = this.tiles.get(key);
    if (hit) {
      this.tiles.delete(key);
      this.tiles.set(key, hit);
      this.stats.hits++;
      return { data: hit, cached: true };
    }
    const started = performance.now();
    const { index } = this.indexOf(profile, version, map);
    const cut = index.getTile(z, x, y);
    const data = cut && cut.features.length > 0 ? fromGeojsonVt({ [ROAD_LAYER]: cut }, { version: 2, extent: EXTENT }) : new Uint8Array(0);
    this.stats.misses++;
    this.stats.generationMs.push(performance.now() - started);
    if (this.stats.generationMs.length > 10_000) this.stats.generationMs.shift();
    this.tiles.set(key, data);
    this.bytes += data.byteLength + key.length;
    for (const [k, v] of this.tiles) {
      if (this.bytes <= this.maxBytes) break;
      this.tiles.delete(k);
      this.bytes -= v.byteLength + k.length;
    }
    return { data, cached: false };
  }

  /** Drops the cache of a profile (its map was swapped); later requests rebuild for the new version. */
  private indexOf(profile: string, version: string, map: MapHandle): RoadIndex {
    const current = this.indexes.get(profile);
    if (current && current.version === version) return current;
    if (current) {
      const prefix = `${profile}/${current.version}/`;
      for (const [k, v] of this.tiles) {
        if (k.startsWith(prefix)) {
          this.tiles.delete(k);
          this.bytes -= v.byteLength + k.length;
        }
      }
    }
    const started = performance.now();
    const features = roadFeatures(map);
    const index = new GeoJSONVT(features, { maxZoom: TILE_MAX_ZOOM, indexMaxZoom: 5, tolerance: 3, extent: EXTENT, buffer: 64 });
    const built: RoadIndex = { version, index, features: features.features.length, buildMs: performance.now() - started };
    this.stats.indexBuildMs[`${profile}/${version}`] = built.buildMs;
    this.indexes.set(profile, built);
    return built;
  }
}
