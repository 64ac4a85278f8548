/**
 * `waymark bench cch <map or pbf...> [--json]`: customizable contraction hierarchies (native/cch) in
 * one run per map: metric-independent preprocessing (time, bytes, arcs, elimination-tree height),
 * customization with the map's own weights on 1 and 2 threads (basic and perfect), point-to-point
 * query p50 and N x N matrices on the customized metric against the map's own CH. Wall and process
 * CPU time are both printed: on a shared machine the CPU figures are the steadier ones.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { openMapFile } from '../src/maps/open.js';
import { native } from '../src/native/index.js';
import { benchBuildOne } from './build.js';
import { fmt } from './stats.js';
import { benchTrafficLoad, printTrafficLoad, type TrafficLoadOptions } from './traffic-load.js';

export interface CCHBenchOptions {
  queries: number;
  matrixSizes: number[];
  threads: number[];
  rounds: number;
  /** Rebuild the metric-independent part to time it (minutes on big maps). */
  preprocess: boolean;
  json: boolean;
  /** Sustained traffic updates over HTTP after the figures above (0: none). */
  traffic: TrafficLoadOptions;
}

export async function benchCCH(inputs: string[], options: CCHBenchOptions): Promise<Record<string, unknown>[]> {
  const all: Record<string, unknown>[] = [];
  for (const input of inputs) {
    let mapPath = input;
    let build: { seconds: number; peak_rss_mb: number } | null = null;
    if (input.endsWith('.pbf')) {
      mapPath = join(tmpdir(), `waymark-bench-cch-${process.pid}.wmap`);
      build = benchBuildOne(input, 'car', mapPath);
    }
    try {
      const map = openMapFile(mapPath);
      const f = native.cchBench(map.handle, { threads: options.threads, rounds: options.rounds, queries: options.queries, matrixSizes: options.matrixSizes, preprocess: options.preprocess });
      native.releaseMap(map.handle);
      const result: Record<string, unknown> = { map: basename(input), build, ...f };
      all.push(result);
      if (options.traffic.updates > 0) result.sustainedTraffic = await benchTrafficLoad(mapPath, options.traffic);
      if (options.json) {
        console.log(JSON.stringify(result));
        continue;
      }
      const t = f.topology;
      console.log(`${basename(input)}: ${t.nodes} segments, CCH ${t.arcs} arcs (x2 directions) vs CH ${t.chArcs} arcs`);
      if (build) console.log(`  whole map build (incl. CH and CCH): ${fmt(build.seconds)} s, peak RSS ${fmt(build.peak_rss_mb, 0)} MB`);
      const time = t.buildMs === undefined ? 'not timed' : `${fmt(t.buildMs, 0)} ms wall, ${fmt(t.buildCpuMs ?? NaN, 0)} ms CPU`;
      console.log(`  metric-independent preprocessing: ${time}; ${fmt(t.bytes / 1e6, 2)} MB; elimination tree height ${t.treeHeight}`);
      for (const c of f.customize)
        console.log(
          `  customization ${c.perfect ? 'perfect' : 'basic  '} ${c.threads} thread(s): ${fmt(c.wallMs, 1)} ms wall, ${fmt(c.cpuMs, 1)} ms CPU -> ${c.arcs} arcs`,
        );
      const q = f.query;
      console.log(
        `  query p50 (segment to segment): CH ${fmt(q.ch.p50Us, 1)} us, CCH basic ${fmt(q.cchBasic.p50Us, 1)} us (x${fmt(q.cchBasic.p50Us / q.ch.p50Us, 2)}), ` +
          `CCH perfect ${fmt(q.cchPerfect.p50Us, 1)} us (x${fmt(q.cchPerfect.p50Us / q.ch.p50Us, 2)}); mismatches vs CH ${q.cchBasic.mismatches} / ${q.cchPerfect.mismatches}`,
      );
      for (const m of f.matrix)
        console.log(
          `  matrix ${m.size}x${m.size} (all threads): CH ${fmt(m.ch.wallMs, 0)} ms (${fmt(m.ch.cpuMs, 0)} CPU), CCH perfect ${fmt(m.cchPerfect.wallMs, 0)} ms ` +
            `(${fmt(m.cchPerfect.cpuMs, 0)} CPU), x${fmt(m.cchPerfect.wallMs / m.ch.wallMs, 2)}; same totals: ${m.sameSum}`,
        );
      if (result.sustainedTraffic) printTrafficLoad(basename(input), result.sustainedTraffic as Awaited<ReturnType<typeof benchTrafficLoad>>, options.traffic);
    } finally {
      if (mapPath !== input) rmSync(mapPath, { force: true });
    }
  }
  return all;
}
