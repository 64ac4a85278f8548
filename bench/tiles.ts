/**
 * Road tiles: index build time, per-tile cut-and-encode time (p50/p99) and the server cache hit rate
 * while panning. Three simulated users pan at z14, z15 and z16 with a 4 x 3-tile viewport, each
 * keeping the tiles it already has (as MapLibre does): two along the same path, one elsewhere. The
 * baseline in the same run is serving a cached tile.
 */
import { native } from '../src/native/index.js';
import { openMapFile } from '../src/maps/open.js';
import { InlineCutter, RoadTileCache } from '../src/web/road-tiles.js';
import { fmt, mean, percentile, sortedCopy } from './stats.js';

function tileOf(lon: number, lat: number, z: number): [number, number] {
  const n = 2 ** z;
  const rad = (lat * Math.PI) / 180;
  return [Math.floor(((lon + 180) / 360) * n), Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n)];
}

/**
 * Viewports (4 x 3 tiles) along a user's pan: from one random road point to the next, one tile
 * step at a time (places where people look, not the sea in the bbox's corners).
 */
function panPath(points: Float64Array, z: number): [number, number, number][][] {
  const views: [number, number, number][][] = [];
  for (let i = 0; i + 1 < points.length / 2; i++) {
    const [ax, ay] = tileOf(points[2 * i], points[2 * i + 1], z);
    const [bx, by] = tileOf(points[2 * i + 2], points[2 * i + 3], z);
    const steps = Math.max(Math.abs(bx - ax), Math.abs(by - ay), 1);
    for (let s = 0; s <= steps; s++) {
      const cx = Math.round(ax + ((bx - ax) * s) / steps);
      const cy = Math.round(ay + ((by - ay) * s) / steps);
      const view: [number, number, number][] = [];
      for (let dx = -2; dx < 2; dx++) for (let dy = -1; dy < 2; dy++) view.push([z, cx + dx, cy + dy]);
      views.push(view);
    }
  }
  return views;
}

export async function benchTiles(mapPath: string, options: { stops: number; json: boolean }): Promise<void> {
  const map = openMapFile(mapPath);
  const version = map.header.checksum;
  const cache = new RoadTileCache(new InlineCutter());
  const source = { profile: map.header.profile, path: mapPath, version };
  const started = performance.now();
  await cache.tile(source, 0, 0, 0); // builds the index
  const indexMs = performance.now() - started;
  cache.stats.generationMs.length = 0;
  cache.stats.misses = 0;
  const bytes: number[] = [];
  const hitMs: number[] = [];
  const nonEmptyMs: number[] = [];
  const perUser: { requests: number; hits: number }[] = [];
  // Users 1 and 2 pan the same way; user 3 pans between other places.
  for (const seed of [1, 1, 2]) {
    const points = native.randomRoadPoints(map.handle, options.stops, seed);
    let requests = 0;
    const hitsBefore = cache.stats.hits;
    for (const z of [14, 15, 16]) {
      const seen = new Set<string>(); // a client keeps the tiles it already has while panning
      for (const view of panPath(points, z)) {
        for (const [tz, x, y] of view) {
          const key = `${tz}/${x}/${y}`;
          if (seen.has(key)) continue;
          seen.add(key);
          requests++;
          const t = performance.now();
          const answer = await cache.tile(source, tz, x, y);
          if (answer.cached) hitMs.push(performance.now() - t);
          else {
            bytes.push(answer.data.byteLength);
            if (answer.data.byteLength > 0) nonEmptyMs.push(answer.ms);
          }
        }
      }
    }
    perUser.push({ requests, hits: cache.stats.hits - hitsBefore });
  }
  const gen = sortedCopy(cache.stats.generationMs);
  const hit = sortedCopy(hitMs);
  const totalRequests = perUser.reduce((n, u) => n + u.requests, 0);
  const result = {
    map: mapPath,
    edges: native.mapHeader(map.handle).counts.edges,
    indexBuildMs: indexMs,
    tilesCut: gen.length,
    generationMs: { p50: percentile(gen, 50), p99: percentile(gen, 99), max: gen[gen.length - 1], mean: mean(gen) },
    nonEmptyGenerationMs: (() => {
      const sorted = sortedCopy(nonEmptyMs);
      return { tiles: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
    })(),
    cachedServeMs: { p50: percentile(hit, 50), p99: percentile(hit, 99) },
    meanTileBytes: mean(bytes),
    hitRate: { perUser: perUser.map((u) => u.hits / u.requests), all: perUser.reduce((n, u) => n + u.hits, 0) / totalRequests },
    requests: totalRequests,
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  process.stdout.write(
    `${mapPath}: ${result.edges} edges, index built in ${fmt(indexMs)} ms\n` +
      `  ${result.tilesCut} tiles cut: p50 ${fmt(result.generationMs.p50, 2)} ms, p99 ${fmt(result.generationMs.p99, 2)} ms, max ${fmt(result.generationMs.max, 2)} ms, mean ${fmt(result.meanTileBytes, 0)} bytes\n` +
      `  ${result.nonEmptyGenerationMs.tiles} of them with roads: p50 ${fmt(result.nonEmptyGenerationMs.p50, 2)} ms, p99 ${fmt(result.nonEmptyGenerationMs.p99, 2)} ms\n` +
      `  cached tile: p50 ${fmt(result.cachedServeMs.p50, 4)} ms (${fmt(result.nonEmptyGenerationMs.p50 / result.cachedServeMs.p50, 0)}x faster than cutting a tile with roads at p50)\n` +
      `  panning z14-16 between ${options.stops} places, 4x3 viewport, ${result.requests} requests: server cache hit rate ${fmt(100 * result.hitRate.all)}% ` +
      `(user 1: ${fmt(100 * result.hitRate.perUser[0])}%, user 2 on the same path: ${fmt(100 * result.hitRate.perUser[1])}%, user 3 elsewhere: ${fmt(100 * result.hitRate.perUser[2])}%)\n`,
  );
}
