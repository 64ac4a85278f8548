/**
 * `waymark bench trip <map> [--sizes 10,16,25,100] [--requests N] [--json]`: time per trip request
 * (matrix, order, route) by size, the order's cost against the exact optimum where it is feasible
 * (Held-Karp up to 16 points; brute force agrees with it up to 12, see test/trip.test.ts) or against
 * a ten times longer solve beyond, and against the nearest-neighbour tour (the baseline) measured in
 * the same run.
 */
import { openMapFile } from '../src/maps/open.js';
import { native } from '../src/native/index.js';
import type { LonLat } from '../src/routing/route.js';
import { exactTrip, solverTrip, tripCost, tripOnMap, tripOrder, type TripShape } from '../src/routing/trip.js';
import { fmt, mean } from './stats.js';

export interface TripBenchOptions {
  sizes: number[];
  requests: number;
  timeLimit: number;
  json: boolean;
}

const ROUND: TripShape = { roundtrip: true, source: 'any', destination: 'any' };

function nearestNeighbour(c: Float64Array, n: number): number[] {
  const order = [0];
  const used = new Set([0]);
  while (order.length < n) {
    const last = order[order.length - 1];
    let best = -1;
    for (let k = 0; k < n; k++) if (!used.has(k) && (best < 0 || c[last * n + k] < c[last * n + best])) best = k;
    order.push(best);
    used.add(best);
  }
  return order;
}

export function benchTrip(mapPath: string, options: TripBenchOptions): Record<string, unknown> {
  const map = openMapFile(mapPath);
  const rows: Record<string, unknown>[] = [];
  // Warm-up (JIT, scratch space) so the first size is not charged for it.
  const warm = native.randomRoadPoints(map.handle, 12, 1);
  tripOnMap(map.handle, { coordinates: Array.from({ length: 12 }, (_, i) => [warm[2 * i], warm[2 * i + 1]] as LonLat), ...ROUND, overview: 'full', geometries: 'polyline', timeLimit: options.timeLimit });
  for (const n of options.sizes) {
    const times: number[] = [];
    const cpuTimes: number[] = [];
    const gaps: number[] = [];
    const nnRatios: number[] = [];
    let reference = '';
    for (let r = 0; r < options.requests; r++) {
      const flat = native.randomRoadPoints(map.handle, n, 1000 * n + r);
      const coordinates = Array.from({ length: n }, (_, i) => [flat[2 * i], flat[2 * i + 1]] as LonLat);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      tripOnMap(map.handle, { coordinates, ...ROUND, overview: 'full', geometries: 'polyline', timeLimit: options.timeLimit });
      times.push(performance.now() - t0);
      const cpu = process.cpuUsage(cpu0);
      cpuTimes.push((cpu.user + cpu.system) / 1000);
      // Quality of the order, on the same matrix the request used.
      const c = native.matrix(map.handle, flat, null, { distances: false, threads: 1 }).durations!;
      const cost = tripCost(tripOrder(c, n, ROUND, options.timeLimit).order, c, n, true);
      let best: number;
      if (n <= 16) {
        best = tripCost(exactTrip(c, n, ROUND), c, n, true);
        reference = 'exact (Held-Karp)';
      } else {
        best = Math.min(cost, tripCost(solverTrip(c, n, ROUND, { timeLimit: options.timeLimit * 10 }), c, n, true));
        reference = `solver, ${options.timeLimit * 10} s`;
      }
      gaps.push(cost / best - 1);
      nnRatios.push(tripCost(nearestNeighbour(c, n), c, n, true) / cost);
    }
    rows.push({ points: n, requests: options.requests, ms_mean: mean(times), ms_max: Math.max(...times), cpu_ms_mean: mean(cpuTimes), gap_mean: mean(gaps), gap_max: Math.max(...gaps), reference, nearest_neighbour_over_trip: mean(nnRatios) });
  }
  const result = { map: mapPath, time_limit_s: options.timeLimit, rows };
  if (options.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    console.log(`trip (roundtrip) on ${mapPath}: exact up to 12 points, VRP solver beyond (budget ${options.timeLimit} s)`);
    console.log('points  requests  ms/request (mean, max)  CPU ms  gap mean  gap max  reference            nearest-neighbour / trip');
    for (const r of rows as any[]) {
      console.log(
        `${String(r.points).padStart(6)}  ${String(r.requests).padStart(8)}  ${fmt(r.ms_mean).padStart(10)} ${fmt(r.ms_max).padStart(10)}  ${fmt(r.cpu_ms_mean).padStart(6)}  ${(100 * r.gap_mean).toFixed(2).padStart(7)}%  ${(100 * r.gap_max).toFixed(2).padStart(6)}%  ${String(r.reference).padEnd(19)}  ${fmt(r.nearest_neighbour_over_trip, 3).padStart(8)}`,
      );
    }
  }
  return result;
}
