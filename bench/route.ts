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
import { osrmRouteOnMap, type OsrmRouteOptions } from '../src/routing/osrm-route.js';
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
  // Full OSRM answers in process (snap, route, JSON shaping) on the same pairs: plain, with steps,
  // with alternatives=3; the share of queries that get at least one alternative.
  const osrmQueries = Math.min(options.queries, 2000);
  const osrmBase: OsrmRouteOptions = { overview: 'false', geometries: 'polyline', steps: false, annotations: [], generateHints: true, skipWaypoints: false };
  const timeOsrm = (extra: Partial<OsrmRouteOptions>) => {
    const micros: number[] = [];
    let withAlternative = 0;
    let answered = 0;
    // CPU time of the whole loop (the machine may be shared: wall time alone would wander).
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < osrmQueries; i++) {
      const coordinates: [number, number][] = [
        [pairs[4 * i], pairs[4 * i + 1]],
        [pairs[4 * i + 2], pairs[4 * i + 3]],
      ];
      const t0 = performance.now();
      try {
        const answer = osrmRouteOnMap(map.handle, { coordinates }, { ...osrmBase, ...extra }) as { routes: unknown[] };
        answered++;
        if (answer.routes.length > 1) withAlternative++;
      } catch {
        continue; // NoRoute: not timed
      }
      micros.push((performance.now() - t0) * 1000);
    }
    const cpu = process.cpuUsage(cpu0);
    const s = sortedCopy(Float64Array.from(micros));
    return {
      mean: mean(Float64Array.from(micros)),
      p50: percentile(s, 50),
      p99: percentile(s, 99),
      cpu: (cpu.user + cpu.system) / osrmQueries,
      success: answered > 0 ? withAlternative / answered : 0,
    };
  };
  timeOsrm({}); // warm-up
  const osrmPlain = timeOsrm({});
  timeOsrm({ steps: true }); // warm-up of the step shaping code
  const osrmSteps = timeOsrm({ steps: true });
  const osrmAlternatives = timeOsrm({ alternatives: 3 });
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
    osrm_queries: osrmQueries,
    osrm_route_us_mean: osrmPlain.mean,
    osrm_route_us_p99: osrmPlain.p99,
    osrm_route_cpu_us: osrmPlain.cpu,
    osrm_steps_us_mean: osrmSteps.mean,
    osrm_steps_us_p99: osrmSteps.p99,
    osrm_steps_cpu_us: osrmSteps.cpu,
    osrm_alternatives3_us_mean: osrmAlternatives.mean,
    osrm_alternatives3_us_p99: osrmAlternatives.p99,
    alternatives_success_rate: osrmAlternatives.success,
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
        `OSRM route answer in process, first ${osrmQueries} pairs: plain mean ${fmt(osrmPlain.mean)} µs (p99 ${fmt(osrmPlain.p99)}, CPU ${fmt(osrmPlain.cpu)} µs); steps=true ${fmt(osrmSteps.mean)} µs (p99 ${fmt(osrmSteps.p99)}, CPU ${fmt(osrmSteps.cpu)} µs, ${fmt(osrmSteps.mean / osrmPlain.mean, 2)}x); alternatives=3 ${fmt(osrmAlternatives.mean)} µs (p99 ${fmt(osrmAlternatives.p99)}, ${fmt(osrmAlternatives.mean / osrmPlain.mean, 2)}x), ${fmt(100 * osrmAlternatives.success, 1)} % of queries get an alternative`,
      ].join('\n') + '\n',
    );
  }
  return result;
}
