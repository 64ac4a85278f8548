import type { Command } from 'commander';
import { benchBuild } from '../../bench/build.js';
import { benchFuzz } from '../../bench/fuzz.js';
import { benchHttp } from '../../bench/http.js';
import { benchMatrix } from '../../bench/matrix.js';
import { benchRoute } from '../../bench/route.js';
import { benchSoak } from '../../bench/soak.js';
import { benchVrp } from '../../bench/vrp.js';

export function registerBench(program: Command): void {
  const bench = program.command('bench').description('benchmarks that print figures (never pass/fail)');
  bench
    .command('build')
    .description('import each PBF and print seconds, peak RSS, graph size and file bytes per node')
    .argument('<pbf...>', 'OSM PBF files')
    .option('--json', 'print one JSON object')
    .action((pbfs: string[], opts: { json?: boolean }) => benchBuild(pbfs, Boolean(opts.json)));
  bench
    .command('route')
    .description('CH query latency vs plain Dijkstra on the same random pairs (a PBF is built first)')
    .argument('<map>', 'map file (.wmap) or OSM PBF')
    .option('--queries <n>', 'random snapped pairs', '10000')
    .option('--dijkstra-seconds <s>', 'time budget for the Dijkstra baseline', '20')
    .option('--seed <n>', 'random seed', '1')
    .option('--json', 'print one JSON object')
    .action((map: string, opts: { queries: string; dijkstraSeconds: string; seed: string; json?: boolean }) => {
      benchRoute(map, { queries: Number(opts.queries), dijkstraSeconds: Number(opts.dijkstraSeconds), seed: Number(opts.seed), json: Boolean(opts.json) });
    });
  bench
    .command('matrix')
    .description('N x N matrices: ms with all threads and one, cells/s, peak RSS; Dijkstra baseline at N = 100')
    .argument('<map>', 'map file (.wmap)')
    .option('--sizes <list>', 'matrix sizes', '100,1000,5000')
    .option('--json', 'print one JSON object')
    .action((map: string, opts: { sizes: string; json?: boolean }) => {
      benchMatrix(map, opts.sizes.split(',').map(Number), Boolean(opts.json));
    });
  bench
    .command('http')
    .description('load-test `waymark serve` on 127.0.0.1 with autocannon: /route, /table 100x100, /matrix 1000x1000')
    .argument('<map>', 'map file (.wmap)')
    .option('--duration <s>', 'seconds per endpoint', '10')
    .option('--connections <n>', 'concurrent connections', '8')
    .option('--workers <list>', 'worker counts to compare (default: 1 and all cores)')
    .option('--json', 'print one JSON object')
    .action(async (map: string, opts: { duration: string; connections: string; workers?: string; json?: boolean }) => {
      await benchHttp(map, {
        duration: Number(opts.duration),
        connections: Number(opts.connections),
        json: Boolean(opts.json),
        ...(opts.workers ? { workers: opts.workers.split(',').map(Number) } : {}),
      });
    });
  bench
    .command('vrp')
    .description('solve Solomon / CVRPLIB / CMT / Augerat / Li & Lim instances, check them, and print gaps to the BKS')
    .argument('<paths...>', 'instance files or folders')
    .option('--time-limit <s>', 'seconds per instance', '5')
    .option('--seed <n>', 'random seed', '1')
    .option('--bks <csv>', 'best-known solutions (set,instance,vehicles,cost,objective,source)')
    .option('--json', 'print one JSON object')
    .action((paths: string[], opts: { timeLimit: string; seed: string; bks?: string; json?: boolean }) => {
      benchVrp(paths, { timeLimit: Number(opts.timeLimit), seed: Number(opts.seed), json: Boolean(opts.json), ...(opts.bks ? { bks: opts.bks } : {}) });
    });
  bench
    .command('fuzz')
    .description('build the libFuzzer targets (clang, ASan + UBSan) and run each for a time budget: executions, coverage, crashes')
    .option('--seconds <s>', 'seconds per target', '60')
    .option('--json', 'print JSON')
    .action(async (opts: { seconds: string; json?: boolean }) => {
      const runs = await benchFuzz(Number(opts.seconds), Boolean(opts.json));
      if (runs.some((r) => r.crashes > 0)) process.exitCode = 1;
    });
  bench
    .command('soak')
    .description('bounded loopback soak: mixed load, map swaps every 30 s, workers killed at random; RSS slope and errors')
    .argument('<map>', 'map file (.wmap)')
    .option('--duration <s>', 'seconds', '180')
    .option('--clients <n>', 'concurrent clients', '4')
    .option('--json', 'print JSON')
    .action(async (map: string, opts: { duration: string; clients: string; json?: boolean }) => {
      const r = await benchSoak(map, { duration: Number(opts.duration), clients: Number(opts.clients), json: Boolean(opts.json) });
      if (r.unexpectedErrors > 0) process.exitCode = 1;
    });
}
