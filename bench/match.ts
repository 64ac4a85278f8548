/**
 * `waymark bench match <map> [--sizes 100,1000] [--traces N] [--sigmas 5,10,20,30] [--json]`:
 * map-matching throughput (points per second, wall and per CPU second) for traces of the given
 * sizes, and accuracy (share of the true route's length matched on the true directed segments)
 * by GPS error, against the naive baseline measured in the same run (each fix snapped to its nearest
 * road, the fastest route driven through the snapped fixes).
 */
import { openMapFile } from '../src/maps/open.js';
import { native } from '../src/native/index.js';
import { coverage, coverageOf, naivePieces, syntheticTrace, type SyntheticTrace } from './match-traces.js';
import { fmt } from './stats.js';

export interface MatchBenchOptions {
  sizes: number[];
  traces: number;
  sigmas: number[];
  json: boolean;
}

function matchOnce(handle: Parameters<typeof native.match>[0], t: SyntheticTrace, sigma: number, segments: boolean) {
  return native.match(handle, Float64Array.from(t.coordinates.flat()), {
    radiuses: new Float64Array(t.coordinates.length).fill(sigma),
    timestamps: Float64Array.from(t.timestamps),
    segments,
  });
}

export function benchMatch(mapPath: string, options: MatchBenchOptions): Record<string, unknown> {
  const map = openMapFile(mapPath);
  const throughput: Record<string, unknown>[] = [];
  for (const size of options.sizes) {
    // Long traces need long true routes: waypoints enough for about 10 s of driving per point.
    const traces: SyntheticTrace[] = [];
    for (let seed = 1; traces.length < options.traces; seed++) {
      traces.push(syntheticTrace(map.handle, seed, { sigma: 10, waypoints: Math.max(2, Math.ceil(size / 30)), maxPoints: size, minLength: 2000 }));
    }
    matchOnce(map.handle, traces[0], 10, false); // warm-up
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let points = 0;
    let settled = 0;
    let matchings = 0;
    for (const t of traces) {
      const m = matchOnce(map.handle, t, 10, false);
      points += t.coordinates.length;
      settled += m.settled;
      matchings += m.matchings.length;
    }
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    throughput.push({
      points_per_trace: Math.round(points / traces.length),
      traces: traces.length,
      ms_per_trace: (wall * 1000) / traces.length,
      points_per_s: points / wall,
      points_per_cpu_s: points / cpuS,
      settled_per_point: settled / points,
      matchings_per_trace: matchings / traces.length,
    });
  }
  const accuracy: Record<string, unknown>[] = [];
  for (const sigma of options.sigmas) {
    let total = 0;
    let hmm = 0;
    let naive = 0;
    let worst = 1;
    for (let seed = 1; seed <= options.traces; seed++) {
      const t = syntheticTrace(map.handle, 1000 + seed, { sigma, dropRate: 0.05, duplicateRate: 0.05, minLength: 2000 });
      const length = t.truth.reduce((s, p) => s + p.metres, 0);
      const c = coverage(t.truth, matchOnce(map.handle, t, sigma, true));
      total += length;
      hmm += c * length;
      worst = Math.min(worst, c);
      naive += coverageOf(t.truth, naivePieces(map.handle, t.coordinates)) * length;
    }
    accuracy.push({ sigma_m: sigma, km: total / 1000, matched: hmm / total, worst_trace: worst, naive_baseline: naive / total });
  }
  const result = { map: mapPath, throughput, accuracy };
  if (options.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    console.log(`map matching on ${mapPath} (sigma 10 m, fixes every 5-30 s, timestamps given)`);
    console.log('points/trace  traces  ms/trace  points/s  points/CPU-s  settled/point  matchings/trace');
    for (const r of throughput as any[]) {
      console.log(`${String(r.points_per_trace).padStart(12)}  ${String(r.traces).padStart(6)}  ${fmt(r.ms_per_trace).padStart(8)}  ${fmt(r.points_per_s, 0).padStart(8)}  ${fmt(r.points_per_cpu_s, 0).padStart(12)}  ${fmt(r.settled_per_point, 0).padStart(13)}  ${fmt(r.matchings_per_trace, 2).padStart(15)}`);
    }
    console.log(`\naccuracy: share of the true route's length matched on the true directed segments (${options.traces} traces per sigma, 5% fixes dropped, 5% duplicated)`);
    console.log('sigma m     km   HMM match  worst trace  naive (nearest road)');
    for (const r of accuracy as any[]) {
      console.log(`${String(r.sigma_m).padStart(7)}  ${fmt(r.km).padStart(5)}  ${(100 * r.matched).toFixed(1).padStart(9)}%  ${(100 * r.worst_trace).toFixed(1).padStart(10)}%  ${(100 * r.naive_baseline).toFixed(1).padStart(19)}%`);
    }
  }
  return result;
}
