/**
 * `waymark bench phast <map...> [--sources N] [--isochrones N] [--zones 7,8] [--json]`: PHAST
 * one-to-all against plain Dijkstra one-to-all from the same sources (both exact; their answers are
 * compared), PHAST across all cores, isochrone latency (1 and 4 contours, the whole answer in
 * process: PHAST, cut pieces, samples, H3 polygons) and H3 zone matrices over the map's bbox.
 * Single-threaded figures are given as wall time and as CPU time, which stays meaningful when the
 * machine is shared.
 */
import { availableParallelism } from 'node:os';
import { openMapFile } from '../src/maps/open.js';
import { native } from '../src/native/index.js';
import { isochroneOnMap } from '../src/routing/isochrone.js';
import { zoneMatrixOnMap } from '../src/zones/zones.js';
import { fmt, mean, percentile, sortedCopy } from './stats.js';

export interface PhastBenchOptions {
  sources: number;
  isochrones: number;
  zones: number[];
  json: boolean;
}

/** Runs fn; its result, wall ms and process CPU ms (all threads). */
function timed<T>(fn: () => T): [T, number, number] {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return [r, wall, (c.user + c.system) / 1000];
}

const p50 = (xs: number[]) => percentile(sortedCopy(xs), 50);

export function benchPhast(paths: string[], options: PhastBenchOptions): Record<string, unknown>[] {
  const results: Record<string, unknown>[] = [];
  for (const path of paths) {
    const map = openMapFile(path);
    const lines: string[] = [];
    const S = options.sources;
    const pts = native.randomRoadPoints(map.handle, S + 1, 1);
    const sources = pts.subarray(0, 2 * S);
    const probe = pts.subarray(2 * S);
    native.phastTable(map.handle, sources.subarray(0, 2), probe, { threads: 1 }); // warm-up
    const one = native.phastTable(map.handle, sources, probe, { threads: 1 });
    const reverse = native.phastTable(map.handle, sources, probe, { threads: 1, direction: 'reverse' });
    const threads = availableParallelism();
    const [, allMs] = timed(() => native.phastTable(map.handle, sources, probe, { threads }));
    const dijkstraWall: number[] = [];
    const dijkstraCpu: number[] = [];
    let mismatches = 0;
    for (let i = 0; i < S; i++) {
      const [ref, wall, cpu] = timed(() => native.referenceTable(map.handle, sources.subarray(2 * i, 2 * i + 2), probe));
      dijkstraWall.push(wall);
      dijkstraCpu.push(cpu);
      const a = Math.round(ref.durations[0] * 1000), b = Math.round(one.durations[i] * 1000);
      if (!(a === b || (Number.isNaN(a) && Number.isNaN(b)))) mismatches++;
    }
    const wall = Array.from(one.micros, (u) => u / 1000);
    const cpu = Array.from(one.cpuMicros, (u) => u / 1000);
    const r: Record<string, unknown> = {
      map: map.header.sourceName,
      segments: map.header.counts.segments,
      sources: S,
      phast_ms_p50: p50(wall),
      phast_ms_mean: mean(wall),
      phast_cpu_ms_p50: p50(cpu),
      phast_cpu_ms_mean: mean(cpu),
      phast_reverse_cpu_ms_mean: mean(Array.from(reverse.cpuMicros, (u) => u / 1000)),
      phast_threads: threads,
      phast_parallel_ms_per_source: allMs / S,
      dijkstra_ms_p50: p50(dijkstraWall),
      dijkstra_cpu_ms_mean: mean(dijkstraCpu),
      speedup_cpu: mean(dijkstraCpu) / mean(cpu),
      mismatches,
    };
    lines.push(
      `map ${r.map}: ${r.segments} segments, ${S} random sources`,
      `PHAST one-to-all, 1 thread: wall p50 ${fmt(r.phast_ms_p50 as number, 2)} ms (mean ${fmt(r.phast_ms_mean as number, 2)}); CPU p50 ${fmt(r.phast_cpu_ms_p50 as number, 2)} ms (mean ${fmt(r.phast_cpu_ms_mean as number, 2)}); reverse (all-to-one) CPU mean ${fmt(r.phast_reverse_cpu_ms_mean as number, 2)} ms`,
      `PHAST on ${threads} threads: ${fmt(r.phast_parallel_ms_per_source as number, 2)} ms wall per source`,
      `plain Dijkstra one-to-all: wall p50 ${fmt(r.dijkstra_ms_p50 as number, 2)} ms; CPU mean ${fmt(r.dijkstra_cpu_ms_mean as number, 2)} ms; PHAST speedup (CPU means) ${fmt(r.speedup_cpu as number, 1)}x; mismatches ${mismatches}`,
    );
    if (options.isochrones > 0) {
      const centres = native.randomRoadPoints(map.handle, options.isochrones, 2);
      for (const contours of [[10], [5, 10, 15, 20]]) {
        isochroneOnMap(map.handle, { location: [centres[0], centres[1]], contours_minutes: contours }); // warm-up
        const wallMs: number[] = [];
        const cpuMs: number[] = [];
        let cells = 0;
        for (let i = 0; i < options.isochrones; i++) {
          const [iso, w, c] = timed(() => isochroneOnMap(map.handle, { location: [centres[2 * i], centres[2 * i + 1]], contours_minutes: contours }));
          wallMs.push(w);
          cpuMs.push(c);
          cells += iso.features.at(-1)!.properties.cells ?? 0;
        }
        const key = `isochrone_${contours.length}`;
        r[`${key}_ms_p50`] = p50(wallMs);
        r[`${key}_cpu_ms_p50`] = p50(cpuMs);
        r[`${key}_cpu_ms_mean`] = mean(cpuMs);
        lines.push(
          `isochrone ${contours.join(',')} min (polygons, default resolution), ${options.isochrones} random centres: wall p50 ${fmt(p50(wallMs), 1)} ms; CPU p50 ${fmt(p50(cpuMs), 1)} ms (mean ${fmt(mean(cpuMs), 1)}); largest contour ${fmt(cells / options.isochrones, 0)} cells`,
        );
      }
    }
    for (const resolution of options.zones) {
      const [z, ms, cpu] = timed(() => zoneMatrixOnMap(map.handle, { resolution, bbox: map.header.bbox }, { maxCells: 1e6, maxMatrixCells: 1e9 }));
      const samples = z.points.reduce((n, p) => n + p.length, 0);
      r[`zones_res${resolution}`] = { cells: z.cells.length, roadless: z.roadless.length, samples, seconds: ms / 1000, cpu_seconds: cpu / 1000 };
      lines.push(
        `zone matrix res ${resolution} (map bbox, median over 7 samples per cell): ${z.cells.length} cells with roads (+${z.roadless.length} road-less), ${samples} samples, ${fmt(ms / 1000, 2)} s wall, ${fmt(cpu / 1000, 2)} s CPU`,
      );
    }
    native.releaseMap(map.handle);
    results.push(r);
    process.stdout.write(options.json ? JSON.stringify(r) + '\n' : lines.join('\n') + '\n\n');
  }
  return results;
}
