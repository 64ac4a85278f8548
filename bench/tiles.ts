/**
 * Road tiles: index build time, per-tile cut-and-encode time (p50/p99) and the cache hit rate while
 * panning. Two simulated users pan the same snake path over the map at z14, z15 and z16 with a
 * 4 x 3-tile viewport (the second user's tiles come from the server cache); the baseline in the same
 * run is serving a cached tile.
 */
import { native } from '../src/native/index.js';
import { openMapFile } from '../src/maps/open.js';
import { RoadTileCache } from '../src/web/road-tiles.js';
import { fmt, mean, percentile, sortedCopy } from './stats.js';

function tileOf(lon: number, lat: number, z: number): [number, number] {
  const n = 2 ** z;
  const rad = (lat * Math.PI) / 180;
  return [Math.floor(((lon + 180) / 360) * n), Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n)];
}

/** Viewports (lists of tiles) along a snake path over the bbox, one tile per step. */
function panPath(bbox: number[], z: number, maxSteps: number): [number, number, number][][] {
  const [x0, y1] = tileOf(bbox[0], bbox[1], z);
  const [x1, y0] = tileOf(bbox[2], bbox[3], z);
  const views: [number, number, number][][] = [];
  for (let y = y0; y <= Math.max(y0, y1 - 2) && views.length < maxSteps; y += 2) {
    const row = (y - y0) / 2;
    const xs: number[] = [];
    for (let x = x0; x <= Math.max(x0, x1 - 3); x++) xs.push(x);
    if (row % 2 === 1) xs.reverse();
    for (const x of xs) {
      if (views.length >= maxSteps) break;
      const view: [number, number, number][] = [];
      for (let dx = 0; dx < 4; dx++) for (let dy = 0; dy < 3; dy++) view.push([z, x + dx, y + dy]);
      views.push(view);
    }
  }
  return views;
}

export function benchTiles(mapPath: string, options: { steps: number; json: boolean }): void {
  const map = openMapFile(mapPath);
  const version = map.header.checksum;
  const cache = new RoadTileCache();
  const started = performance.now();
  cache.tile(map.header.profile, version, map.handle, 0, 0, 0); // builds the index
  const indexMs = performance.now() - started;
  cache.stats.generationMs.length = 0;
  cache.stats.misses = 0;
  const bytes: number[] = [];
  const hitMs: number[] = [];
  const perUser: { requests: number; hits: number }[] = [];
  for (let user = 0; user < 2; user++) {
    let requests = 0;
    const hitsBefore = cache.stats.hits;
    for (const z of [14, 15, 16]) {
      const seen = new Set<string>(); // a client keeps the tiles it already has while panning
      for (const view of panPath(map.header.bbox, z, options.steps)) {
        for (const [tz, x, y] of view) {
          const key = `${tz}/${x}/${y}`;
          if (seen.has(key)) continue;
          seen.add(key);
          requests++;
          const t = performance.now();
          const answer = cache.tile(map.header.profile, version, map.handle, tz, x, y);
          if (answer.cached) hitMs.push(performance.now() - t);
          else bytes.push(answer.data.byteLength);
        }
      }
    }
    perUser.push({ requests, hits: cache.stats.hits - hitsBefore });
  }
  const gen = sortedCopy(cache.stats.generationMs);
  const hit = sortedCopy(hitMs);
  const totalRequests = perUser[0].requests + perUser[1].requests;
  const result = {
    map: mapPath,
    edges: native.mapHeader(map.handle).counts.edges,
    indexBuildMs: indexMs,
    tilesCut: gen.length,
    generationMs: { p50: percentile(gen, 50), p99: percentile(gen, 99), max: gen[gen.length - 1], mean: mean(gen) },
    cachedServeMs: { p50: percentile(hit, 50), p99: percentile(hit, 99) },
    meanTileBytes: mean(bytes),
    hitRate: { firstUser: perUser[0].hits / perUser[0].requests, twoUsers: (perUser[0].hits + perUser[1].hits) / totalRequests },
    requests: totalRequests,
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  process.stdout.write(
    `${mapPath}: ${result.edges} edges, index built in ${fmt(indexMs)} ms\n` +
      `  ${result.tilesCut} tiles cut: p50 ${fmt(result.generationMs.p50, 2)} ms, p99 ${fmt(result.generationMs.p99, 2)} ms, max ${fmt(result.generationMs.max, 2)} ms, mean ${fmt(result.meanTileBytes, 0)} bytes\n` +
      `  cached tile: p50 ${fmt(result.cachedServeMs.p50, 4)} ms (${fmt(result.generationMs.p50 / result.cachedServeMs.p50, 0)}x faster than cutting)\n` +
      `  panning z14-16, 4x3 viewport, ${result.requests} requests: hit rate ${fmt(100 * result.hitRate.firstUser)}% for one user, ${fmt(100 * result.hitRate.twoUsers)}% for two users on the same path\n`,
  );
}
