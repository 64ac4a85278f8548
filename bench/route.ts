/**
 * `waymark bench route <map or pbf> [--queries N] [--json]`: snapped-query latency of the CH against
 * plain Dijkstra on the same pairs, measured in one run. Given a PBF, the map is built first (in a
 * child process) and preprocessing time and peak RSS are reported too.
 */
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMapFile } from '../src/maps/open.js';
import { native } from '../src/native/index.js';
import { benchBuildOne } from './build.js';
import { fmt, mean, percentile, sortedCopy } from './stats.js';

export interface RouteBenchOptions {
  queries: number;
  json: boolean;
  /** Seconds spent on Dijkstra at most (it is slow on big maps); it runs on a prefix of the pairs. */
  dijkstraSeconds: number;
  seed: number;
}

export function benchRoute(input: string, options: RouteBenchOptions): Record<string, unknown> {
  let mapPath = input;
  let preprocess_s: number | null = null;
  let preprocess_rss_mb: number | null = null;
  if (input.endsWith('.pbf')) {
    mapPath = join(tmpdir(), `waymark-bench-${process.pid}.wmap`);
    const built = benchBuildOne(input, 'car', mapPath);
    preprocess_s = built.seconds;
    preprocess_rss_mb = built.peak_rss_mb;
  }
  const map = openMapFile(mapPath);
  const pairs = native.randomRoadPoints(map.handle, options.queries * 2, options.seed);
  native.benchRoutes(map.handle, pairs.subarray(0, Math.min(pairs.length, 4000)), 'ch'); // warm-up
  const ch = native.benchRoutes(map.handle, pairs, 'ch');
  const sorted = sortedCopy(ch.micros);

  // Dijkstra on as many of the same pairs as fit in the time budget (at least 10).
  const dijkstraMicros: number[] = [];
  let mismatches = 0;
  const started = performance.now();
  for (let i = 0; i < options.queries; i++) {
    if (i >= 10 && (performance.now() - started) / 1000 > options.dijkstraSeconds) break;
    const r = native.benchRoutes(map.handle, pairs.subarray(4 * i, 4 * i + 4), 'dijkstra');
    dijkstraMicros.push(r.micros[0]);
    const a = ch.durations[i];
    const b = r.durations[0];
    if (!(a === b || (Number.isNaN(a) && Number.isNaN(b)))) mismatches++;
  }
  const result = {
    map: map.header.sourceName,
    preprocess_s,
    preprocess_rss_mb,
    map_mb: statSync(mapPath).size / 1e6,
    segments: map.header.counts.segments,
    queries: options.queries,
    query_us_mean: mean(ch.micros),
    query_us_p50: percentile(sorted, 50),
    query_us_p99: percentile(sorted, 99),
    dijkstra_queries: dijkstraMicros.length,
    dijkstra_us_mean: mean(dijkstraMicros),
    speedup: mean(dijkstraMicros) / mean(ch.micros.subarray(0, dijkstraMicros.length)),
    settled_mean: mean(ch.settled),
    dijkstra_mismatches: mismatches,
  };
  if (options.json) {
    process.stdout.write(JSON.stringify(result) + '\n');
  } else {
    process.stdout.write(
      [
        `map ${result.map}: ${result.segments} segments, ${fmt(result.map_mb)} MB` +
          (preprocess_s != null ? `, preprocessing ${fmt(preprocess_s, 2)} s, peak RSS ${fmt(preprocess_rss_mb ?? NaN, 0)} MB` : ''),
        `CH query (snap both ends + search, no geometry), ${result.queries} random pairs: mean ${fmt(result.query_us_mean)} µs, p50 ${fmt(result.query_us_p50)} µs, p99 ${fmt(result.query_us_p99)} µs, settled ${fmt(result.settled_mean, 0)}`,
        `plain Dijkstra on the first ${result.dijkstra_queries} pairs: mean ${fmt(result.dijkstra_us_mean, 0)} µs; speedup ${fmt(result.speedup, 0)}x; mismatches ${mismatches}`,
      ].join('\n') + '\n',
    );
  }
  return result;
}
