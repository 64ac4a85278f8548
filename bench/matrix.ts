/**
 * `waymark bench matrix <map> [--sizes 100,1000,5000] [--json]`: N x N matrices of random road
 * points with all threads and with one, cells per second, peak RSS, and for N = 100 the time of N
 * one-to-all plain Dijkstras (the baseline), all measured in this run.
 */
import { openMapFile } from '../src/maps/open.js';
import { native } from '../src/native/index.js';
import { fmt } from './stats.js';

export interface MatrixBenchRow {
  n: number;
  ms: number;
  cells_per_s: number;
  ms_1thread: number;
  scaling: number;
  rss_mb: number;
  dijkstra_ms?: number;
  unreachable: number;
}

function timeMatrix(map: ReturnType<typeof openMapFile>, pts: Float64Array, n: number, threads: number): { ms: number; unreachable: number } {
  const started = performance.now();
  const r = native.matrix(map.handle, pts, null, { threads, distances: true, maxCells: n * n });
  const ms = performance.now() - started;
  let unreachable = 0;
  for (const x of r.durations!) if (Number.isNaN(x)) unreachable++;
  return { ms, unreachable };
}

export function benchMatrix(mapPath: string, sizes: number[], json: boolean): { sizes: MatrixBenchRow[] } {
  const map = openMapFile(mapPath);
  const rows: MatrixBenchRow[] = [];
  native.matrix(map.handle, native.randomRoadPoints(map.handle, 200, 99), null); // warm-up: scratch and page cache
  if (!json) process.stdout.write(`map ${map.header.sourceName} (${map.header.counts.segments} segments)\n     n        ms   Mcells/s  ms_1thread  scaling   rss_MB  dijkstra_ms\n`);
  for (const n of sizes) {
    const pts = native.randomRoadPoints(map.handle, n, n);
    const all = timeMatrix(map, pts, n, 0);
    const one = timeMatrix(map, pts, n, 1);
    const row: MatrixBenchRow = {
      n,
      ms: all.ms,
      cells_per_s: (n * n) / (all.ms / 1000),
      ms_1thread: one.ms,
      scaling: one.ms / all.ms,
      rss_mb: process.resourceUsage().maxRSS / 1024,
      unreachable: all.unreachable,
    };
    if (n <= 100) {
      const started = performance.now();
      native.referenceTable(map.handle, pts, pts);
      row.dijkstra_ms = performance.now() - started;
    }
    rows.push(row);
    if (!json) {
      process.stdout.write(
        `${String(n).padStart(6)} ${fmt(row.ms).padStart(9)} ${fmt(row.cells_per_s / 1e6, 2).padStart(10)} ${fmt(row.ms_1thread).padStart(11)} ${fmt(row.scaling, 2).padStart(8)} ${fmt(row.rss_mb, 0).padStart(8)} ${row.dijkstra_ms !== undefined ? fmt(row.dijkstra_ms).padStart(12) : ''}\n`,
      );
    }
  }
  if (json) process.stdout.write(JSON.stringify({ map: map.header.sourceName, sizes: rows }) + '\n');
  return { sizes: rows };
}
