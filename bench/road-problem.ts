/**
 * Planner-shaped VRP problems on a real extract: what an order system exports for a day of
 * deliveries. Stops at random addresses (building centroids from the PBF when it has enough
 * buildings, else random road points set back 10–40 m from the street), a few deliberately
 * 1–2 km off the road network (a farm, the end of a footpath, a quay), service times of 3–10
 * minutes, 2-hour windows across an 08:00–18:00 working day, parcel amounts and van capacities,
 * every van from one central depot. No matrix: Waymark computes it from the map.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { native, type MapHandle } from '../src/native/index.js';
import type { LonLat, VroomProblem } from '../src/vrp/types.js';

export interface RoadProblemOptions {
  jobs: number;
  vehicles: number;
  seed: number;
  /** Stops moved 1–2 km away from any road (default: 1 % of the jobs, at least 2). */
  offRoad?: number;
  /** Candidate addresses (e.g. buildingCentroids of the extract); road points are used when too few. */
  addresses?: LonLat[];
  /**
   * Keep every stop inside a square of this side (km) around `centre`: a city's day on a map the
   * size of a country (region64 spans 700 km, far beyond a van's 10-hour day from one depot).
   */
  area?: { centre: LonLat; km: number };
}

/** Whether p lies inside the square of side km around centre. */
function inArea(p: LonLat, area: { centre: LonLat; km: number }): boolean {
  const half = (area.km * 1000) / 2;
  const north = (p[1] - area.centre[1]) * 111195;
  const east = (p[0] - area.centre[0]) * 111195 * Math.cos((area.centre[1] * Math.PI) / 180);
  return Math.abs(north) <= half && Math.abs(east) <= half;
}

/** n random road points inside the area, drawn in batches (the area may be a small part of the map). */
function roadPointsIn(map: MapHandle, n: number, seed: number, area: { centre: LonLat; km: number }): Float64Array {
  const out = new Float64Array(2 * n);
  let found = 0;
  for (let batch = 0; found < n; batch++) {
    if (batch >= 200) throw new Error(`only ${found} of ${n} random road points fell inside the ${area.km} km area around ${area.centre.join(',')}: choose a larger --area-km`);
    const pts = native.randomRoadPoints(map, 20000, seed + 7919 * batch);
    for (let i = 0; i < pts.length / 2 && found < n; i++) {
      if (!inArea([pts[2 * i], pts[2 * i + 1]], area)) continue;
      out[2 * found] = pts[2 * i];
      out[2 * found + 1] = pts[2 * i + 1];
      found++;
    }
  }
  return out;
}

/** mulberry32: a small seeded generator, so a seed gives the same problem everywhere. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round7 = (x: number) => Math.round(x * 1e7) / 1e7;

/** Moves (lon, lat) by metres east and north. */
function offset([lon, lat]: LonLat, east: number, north: number): LonLat {
  const dlat = north / 111195;
  const dlon = east / (111195 * Math.cos((lat * Math.PI) / 180));
  return [round7(lon + dlon), round7(lat + dlat)];
}

/** Centroids of the building outlines of a PBF (osmium export), or [] when osmium finds none. */
export function buildingCentroids(pbf: string): LonLat[] {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-buildings-'));
  try {
    const filtered = join(dir, 'buildings.osm.pbf');
    const f = spawnSync('osmium', ['tags-filter', pbf, 'w/building', '-o', filtered, '--overwrite'], { stdio: 'ignore' });
    if (f.status !== 0) return [];
    const e = spawnSync('osmium', ['export', filtered, '-f', 'geojsonseq', '-o', '-', '--geometry-types=polygon'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (e.status !== 0) return [];
    const out: LonLat[] = [];
    for (const line of e.stdout.split('\n')) {
      const text = line.replace(/^\x1e/, '').trim();
      if (!text) continue;
      const g = JSON.parse(text).geometry as { type: string; coordinates: number[][][] | number[][][][] };
      const ring = (g.type === 'MultiPolygon' ? (g.coordinates as number[][][][])[0][0] : (g.coordinates as number[][][])[0]) ?? [];
      if (ring.length === 0) continue;
      const n = ring.length > 1 ? ring.length - 1 : 1; // the ring repeats its first point
      let lon = 0;
      let lat = 0;
      for (let i = 0; i < n; i++) {
        lon += ring[i][0];
        lat += ring[i][1];
      }
      out.push([round7(lon / n), round7(lat / n)]);
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Metres from a coordinate to the nearest road (Infinity when it cannot be placed at all). */
function snapDistance(map: MapHandle, p: LonLat): number {
  const [s] = native.snap(map, Float64Array.from(p), { lenient: true });
  return 'error' in s ? Infinity : s.distance;
}

export function roadProblem(map: MapHandle, options: RoadProblemOptions): { problem: VroomProblem; addressSource: string; offRoad: number } {
  const random = rng(options.seed);
  const N = options.jobs;
  const area = options.area;
  const addresses = area ? options.addresses?.filter((p) => inArea(p, area)) : options.addresses;
  const useBuildings = (addresses?.length ?? 0) >= N;
  let stops: LonLat[];
  if (useBuildings) {
    const pool = [...addresses!];
    stops = [];
    for (let i = 0; i < N; i++) stops.push(pool.splice(Math.floor(random() * pool.length), 1)[0]);
  } else {
    // Road points set back from the street, like a front door.
    const road = area ? roadPointsIn(map, N, options.seed, area) : native.randomRoadPoints(map, N, options.seed);
    stops = Array.from({ length: N }, (_, i) => {
      const angle = random() * 2 * Math.PI;
      const d = 10 + random() * 30;
      return offset([road[2 * i], road[2 * i + 1]], d * Math.cos(angle), d * Math.sin(angle));
    });
  }
  // Some stops 1–2 km from the nearest road (pushed away from it in a random direction).
  const wanted = options.offRoad ?? Math.max(2, Math.round(N / 100));
  // Inland stops may have roads all around: try other stops until enough have been moved.
  let offRoad = 0;
  const moved = new Set<number>();
  for (let tries = 0; offRoad < wanted && tries < wanted * 40; tries++) {
    const i = Math.floor(random() * N);
    if (moved.has(i)) continue;
    for (let attempt = 0; attempt < 60; attempt++) {
      const angle = random() * 2 * Math.PI;
      const d = 800 + random() * 2500;
      const p = offset(stops[i], d * Math.cos(angle), d * Math.sin(angle));
      const gap = snapDistance(map, p);
      if (gap >= 1000 && gap <= 2000) {
        stops[i] = p;
        moved.add(i);
        offRoad++;
        break;
      }
    }
  }
  // One depot for every van: the stop-like point nearest the centre of the stops.
  const centre: LonLat = [stops.reduce((s, p) => s + p[0], 0) / N, stops.reduce((s, p) => s + p[1], 0) / N];
  const candidates = useBuildings ? addresses! : stops;
  let depot = candidates[0];
  let best = Infinity;
  for (const p of candidates) {
    const d = (p[0] - centre[0]) ** 2 + (p[1] - centre[1]) ** 2;
    if (d < best && snapDistance(map, p) < 100) {
      best = d;
      depot = p;
    }
  }
  const day: [number, number] = [8 * 3600, 18 * 3600];
  const amounts = stops.map(() => 1 + Math.floor(random() * 3));
  const total = amounts.reduce((a, b) => a + b, 0);
  const capacity = Math.ceil((total / options.vehicles) * 1.25);
  const problem: VroomProblem = {
    vehicles: Array.from({ length: options.vehicles }, (_, v) => ({ id: v + 1, profile: 'car', start: depot, end: depot, capacity: [capacity], time_window: day })),
    jobs: stops.map((location, i) => {
      const from = day[0] + Math.floor(random() * 9) * 3600; // 08:00 … 16:00
      return { id: i + 1, location, service: 180 + Math.floor(random() * 421), delivery: [amounts[i]], time_windows: [[from, from + 7200]] };
    }),
  };
  return { problem, addressSource: useBuildings ? 'buildings' : 'road points, 10-40 m setback', offRoad };
}
