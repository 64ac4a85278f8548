import type { Command } from 'commander';
import { benchBuild } from '../../bench/build.js';
import { benchCCH } from '../../bench/cch.js';
import { benchJobs } from '../../bench/jobs.js';
import { benchMatch } from '../../bench/match.js';
import { benchMetrics } from '../../bench/metrics.js';
import { benchFuzz } from '../../bench/fuzz.js';
import { benchMatrix } from '../../bench/matrix.js';
import { benchMatrixAddons } from '../../bench/matrix-addons.js';
import { benchPhast } from '../../bench/phast.js';
import { benchTrip } from '../../bench/trip.js';
import { benchRoute } from '../../bench/route.js';
import { benchReplan } from '../../bench/replan.js';
import { benchRoadVrp } from '../../bench/road-vrp.js';
import { benchTiles } from '../../bench/tiles.js';
import { benchSoak } from '../../bench/soak.js';
import { benchVrp } from '../../bench/vrp.js';
import { benchVrpSmall } from '../../bench/vrp-small.js';
import { WaymarkError } from '../errors.js';

// An integer option of at least `min`, or InvalidValue naming the option.
function count(text: string, what: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new WaymarkError('InvalidValue', `${what} must be an integer of at least ${min}, not '${text}'`);
  return n;
}

export function registerBench(program: Command): void {
  const bench = program
    .command('bench')
    .description('benchmarks that print figures (never pass/fail)')
    .hook('preAction', exitOnSignals);
  bench
    .command('build')
    .description('import each PBF and print seconds, peak RSS, graph size and file bytes per node')
    .argument('<pbf...>', 'OSM PBF files')
    .option('--json', 'print one JSON object')
    .action((pbfs: string[], opts: { json?: boolean }) => benchBuild(pbfs, Boolean(opts.json)));
  bench
    .command('cch')
    .description('customizable CH: preprocessing, customization on 1 and 2 threads, query p50 and matrices vs the map\'s CH (a PBF is built first)')
    .argument('<maps...>', 'map files (.wmap) or OSM PBFs')
    .option('--queries <n>', 'random segment pairs', '10000')
    .option('--sizes <list>', 'matrix sizes', '1000,5000')
    .option('--threads <list>', 'customization thread counts', '1,2')
    .option('--rounds <n>', 'customizations per setting (median)', '3')
    .option('--no-preprocess', 'do not rebuild (and time) the metric-independent part')
    .option('--traffic-updates <k>', 'then K live-traffic updates (every segment) over HTTP to `waymark serve` on 127.0.0.1 under /route load; 0: none', '3')
    .option('--traffic-interval <s>', 'seconds between traffic updates', '60')
    .option('--traffic-clients <n>', 'concurrent /route clients during the traffic run', '2')
    .option('--workers <n>', 'server worker threads for the traffic run', '2')
    .option('--json', 'one JSON object per map')
    .action(async (maps: string[], opts: { queries: string; sizes: string; threads: string; rounds: string; preprocess: boolean; trafficUpdates: string; trafficInterval: string; trafficClients: string; workers: string; json?: boolean }) => {
      const positive = (name: string, v: string, min: number) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n < min) throw new WaymarkError('InvalidValue', `${name} must be a number >= ${min}`);
        return n;
      };
      await benchCCH(maps, {
        queries: Number(opts.queries),
        matrixSizes: opts.sizes ? opts.sizes.split(',').map(Number) : [],
        threads: opts.threads.split(',').map(Number),
        rounds: Number(opts.rounds),
        preprocess: opts.preprocess,
        json: Boolean(opts.json),
        traffic: {
          updates: Math.floor(positive('--traffic-updates', opts.trafficUpdates, 0)),
          intervalS: positive('--traffic-interval', opts.trafficInterval, 0),
          clients: Math.floor(positive('--traffic-clients', opts.trafficClients, 1)),
          workers: Math.floor(positive('--workers', opts.workers, 1)),
        },
      });
    });
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
    .command('metrics')
    .description('live-traffic updates (read + customize ms), exclude and custom-model cost (first vs cached), query latency on a traffic metric')
    .argument('<map>', 'map file (.wmap)')
    .option('--updates <n>', 'traffic updates', '3')
    .option('--queries <n>', 'random snapped pairs', '5000')
    .option('--json', 'print one JSON object')
    .action(async (map: string, opts: { updates: string; queries: string; json?: boolean }) => {
      await benchMetrics(map, { updates: Number(opts.updates), queries: Number(opts.queries), json: Boolean(opts.json) });
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
    .command('matrix-addons')
    .description('N x N matrices (search only) by this build and by a baseline build of the addon (e.g. main\'s), alternating child processes in one run: best CPU (wall) and ratios')
    .argument('<map>', 'map file (.wmap) both builds read')
    .requiredOption('--baseline <addon>', 'the other build\'s waymark.node')
    .option('--sizes <list>', 'matrix sizes', '1000,5000')
    .option('--methods <list>', 'buckets, rphast, auto', 'buckets,rphast,auto')
    .option('--threads <list>', 'thread counts', '1,2')
    .option('--reps <n>', 'repetitions per child', '3')
    .option('--rounds <n>', 'child processes per build, alternating', '2')
    .option('--json', 'print one JSON object')
    .action((map: string, opts: { baseline: string; sizes: string; methods: string; threads: string; reps: string; rounds: string; json?: boolean }) => {
      benchMatrixAddons(map, {
        baseline: opts.baseline,
        sizes: opts.sizes.split(',').map(Number),
        methods: opts.methods.split(','),
        threads: opts.threads.split(',').map(Number),
        reps: Number(opts.reps),
        rounds: Number(opts.rounds),
        json: Boolean(opts.json),
      });
    });
  bench
    .command('compare')
    .description(
      "the performance issue's table in one run on one map: preprocessing, query p50 (snap and search apart), " +
        'matrices by buckets vs RPHAST on 1 and 2 threads with the crossover, POST /route over HTTP; wall and CPU time',
    )
    .argument('<pbf>', 'OSM PBF (built first: the preprocessing row), or a map file (.wmap) to skip building')
    .option('--queries <n>', 'random point-to-point pairs', '10000')
    .option('--sizes <list>', 'N of the N x N matrices', '1000,5000,10000')
    .option('--crossover <list>', 'small N x N for the buckets / RPHAST crossover (search only, 1 thread)', '10,20,50,100,300')
    .option('--threads <list>', 'thread counts for the matrices', '1,2')
    .option('--full-max <n>', 'largest N also timed as a full call with its output arrays', '5000')
    .option('--http-duration <s>', 'seconds of POST /route load (0: none)', '10')
    .option('--connections <n>', 'concurrent HTTP connections', '8')
    .option('--keep-map <file>', 'keep the map built from the PBF there (.wmap)')
    .option('--json', 'print one JSON object')
    .action(
      async (
        input: string,
        opts: {
          queries: string;
          sizes: string;
          crossover: string;
          threads: string;
          fullMax: string;
          httpDuration: string;
          connections: string;
          keepMap?: string;
          json?: boolean;
        },
      ) => {
        const list = (text: string, what: string) =>
          text
            .split(',')
            .filter((x) => x !== '')
            .map((x) => {
              const n = Number(x);
              if (!Number.isInteger(n) || n < 1) throw new WaymarkError('InvalidValue', `${what} must be positive integers, not '${x}'`);
              return n;
            });
        const { benchCompare } = await import('../../bench/compare.js');
        const isMap = input.endsWith('.wmap');
        await benchCompare(input, {
          queries: count(opts.queries, '--queries', 1),
          sizes: list(opts.sizes, '--sizes'),
          crossover: list(opts.crossover, '--crossover'),
          threads: list(opts.threads, '--threads'),
          fullMax: count(opts.fullMax, '--full-max', 0),
          httpDuration: count(opts.httpDuration, '--http-duration', 0),
          connections: count(opts.connections, '--connections', 1),
          json: Boolean(opts.json),
          ...(isMap ? { map: input } : {}),
          ...(opts.keepMap && !isMap ? { keepMap: opts.keepMap } : {}),
        });
      },
    );
  bench
    .command('phast')
    .description('PHAST one-to-all vs plain Dijkstra, isochrone latency (1 and 4 contours), H3 zone matrices')
    .argument('<maps...>', 'map files (.wmap)')
    .option('--sources <n>', 'random sources', '50')
    .option('--isochrones <n>', 'random isochrone centres (0: none)', '10')
    .option('--zones <list>', 'H3 resolutions of zone matrices over the map bbox (empty: none)', '')
    .option('--json', 'one JSON object per map')
    .action((maps: string[], opts: { sources: string; isochrones: string; zones: string; json?: boolean }) => {
      benchPhast(maps, {
        sources: Number(opts.sources),
        isochrones: Number(opts.isochrones),
        zones: opts.zones ? opts.zones.split(',').map(Number) : [],
        json: Boolean(opts.json),
      });
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
      // Loaded on use: autocannon is a development dependency, absent from the production image.
      const { benchHttp } = await import('../../bench/http.js');
      await benchHttp(map, {
        duration: Number(opts.duration),
        connections: Number(opts.connections),
        json: Boolean(opts.json),
        ...(opts.workers ? { workers: opts.workers.split(',').map(Number) } : {}),
      });
    });
  bench
    .command('http-breakdown')
    .description('where a route query becomes an HTTP request: query, worker task, pool hand-off, floors (node:http, Fastify), Waymark (and a --baseline checkout) over HTTP with CPU per request, and a per-layer CPU profile')
    .argument('<map>', 'map file (.wmap)')
    .option('--duration <s>', 'seconds per load', '5')
    .option('--connections <n>', 'concurrent connections', '8')
    .option('--workers <n>', 'worker threads', '2')
    .option('--rounds <n>', 'rounds; the servers alternate within each', '2')
    .option('--baseline <checkout>', 'another built Waymark checkout whose server is measured beside this one')
    .option('--rate <n>', 'requests/s offered in the measured windows (all servers get the same load, so CPU per request compares fairly on a shared machine); default: as fast as they answer')
    .option('--json', 'print one JSON object')
    .action(async (map: string, opts: { duration: string; connections: string; workers: string; rounds: string; baseline?: string; rate?: string; json?: boolean }) => {
      // Loaded on use: it drives autocannon, a development dependency.
      const { benchHttpBreakdown } = await import('../../bench/http-breakdown.js');
      await benchHttpBreakdown(map, {
        duration: Number(opts.duration),
        connections: Number(opts.connections),
        workers: Number(opts.workers),
        rounds: Number(opts.rounds),
        json: Boolean(opts.json),
        ...(opts.baseline ? { baseline: opts.baseline } : {}),
        ...(opts.rate ? { rate: Number(opts.rate) } : {}),
      });
    });
  bench
    .command('match')
    .description('map matching: points/s for traces of the given sizes, accuracy by GPS error vs the nearest-road baseline')
    .argument('<map>', 'map file (.wmap)')
    .option('--sizes <list>', 'points per trace', '100,1000')
    .option('--traces <n>', 'traces per size and per sigma', '20')
    .option('--sigmas <list>', 'GPS errors (m) for the accuracy table', '5,10,20,30')
    .option('--json', 'print one JSON object')
    .action((map: string, opts: { sizes: string; traces: string; sigmas: string; json?: boolean }) => {
      benchMatch(map, { sizes: opts.sizes.split(',').map(Number), traces: Number(opts.traces), sigmas: opts.sigmas.split(',').map(Number), json: Boolean(opts.json) });
    });
  bench
    .command('trip')
    .description('trip: ms per request by size, gap to the exact optimum (or a 10x longer solve), nearest-neighbour baseline')
    .argument('<map>', 'map file (.wmap)')
    .option('--sizes <list>', 'points per trip', '10,16,25,100')
    .option('--requests <n>', 'random trips per size', '5')
    .option('--time-limit <s>', 'solver budget per trip beyond 12 points', '1')
    .option('--json', 'print one JSON object')
    .action((map: string, opts: { sizes: string; requests: string; timeLimit: string; json?: boolean }) => {
      benchTrip(map, { sizes: opts.sizes.split(',').map(Number), requests: Number(opts.requests), timeLimit: Number(opts.timeLimit), json: Boolean(opts.json) });
    });
  bench
    .command('jobs')
    .description('VRP job queue overhead: jobs/s accepted and completed with 1, 2, 4 replicas on a throw-away PostgreSQL (SQLite baseline), /health/live latency under load, cancellation latency with LISTEN/NOTIFY vs polling')
    .argument('<map>', 'map file (.wmap) covering Monaco (the problems use Monaco coordinates)')
    .option('--jobs <n>', 'trivial jobs per configuration', '200')
    .option('--replicas <list>', 'replica counts', '1,2,4')
    .option('--concurrency <n>', 'concurrent submitting clients', '16')
    .option('--cancel-rounds <n>', 'cancellations measured per mode', '5')
    .option('--json', 'print one JSON object')
    .action(async (map: string, opts: { jobs: string; replicas: string; concurrency: string; cancelRounds: string; json?: boolean }) => {
      await benchJobs(map, {
        jobs: Number(opts.jobs),
        replicas: opts.replicas.split(',').map(Number),
        concurrency: Number(opts.concurrency),
        cancelRounds: Number(opts.cancelRounds),
        json: Boolean(opts.json),
      });
    });
  bench
    .command('tracing')
    .description('POST /route req/s with OpenTelemetry tracing off, sampling 1% and sampling 100% (OTLP to a local sink), in one run')
    .argument('<map>', 'map file (.wmap)')
    .option('--duration <s>', 'seconds per mode and round', '10')
    .option('--connections <n>', 'concurrent connections', '8')
    .option('--workers <n>', 'worker threads', '1')
    .option('--rounds <n>', 'rounds; the modes alternate within each', '2')
    .option('--json', 'print one JSON object')
    .action(async (map: string, opts: { duration: string; connections: string; workers: string; rounds: string; json?: boolean }) => {
      // Loaded on use: it drives autocannon, a development dependency.
      const { benchTracing } = await import('../../bench/tracing.js');
      await benchTracing(map, { duration: Number(opts.duration), connections: Number(opts.connections), workers: Number(opts.workers), rounds: Number(opts.rounds), json: Boolean(opts.json) });
    });
  bench
    .command('vrp')
    .description(
      'solve Solomon / CVRPLIB / CMT / Augerat / Li & Lim instances, check them, and print gaps to the BKS; ' +
        'or, with --road, planner-shaped delivery days on a real extract (matrix ms, solve s, cost, unassigned, largest snap)',
    )
    .argument('[paths...]', 'instance files or folders (not with --road)')
    .option('--time-limit <s>', 'seconds per instance', '5')
    .option('--seed <n>', 'random seed', '1')
    .option('--bks <csv>', 'best-known solutions (set,instance,vehicles,cost,objective,source)')
    .option('--road <maps>', 'map files (.wmap) or OSM PBFs, comma-separated (built first; their buildings give the addresses) to generate road problems on')
    .option('--times <list>', 'with --road: solve each problem at these time limits (seconds), e.g. 5,30,60 (default: --time-limit)')
    .option('--write-problems <dir>', 'with --road: write each problem with its matrices (VROOM format) there, to run VROOM on the same numbers')
    .option('--jobs <list>', 'with --road: jobs per problem, e.g. 200,1000', '200')
    .option('--vehicles <list>', 'with --road: vans per problem (one value, or one per --jobs entry)', '12')
    .option('--off-road <n>', 'with --road: stops moved 1-2 km off the road network (default 1 % of the jobs, at least 2)')
    .option('--area-km <km>', "with --road: keep the stops inside a square of this side (km) around a random road point (a city's day on a country-sized map such as region64)")
    .option('--run-to-time-limit', 'search until the time limit even once converged')
    .option('--cpu-time', 'benchmarking: the time limit is a CPU budget (time limit x threads CPU-seconds of the process), so figures do not depend on the load or on other benchmarks running in parallel')
    .option('--threads <n>', 'solver threads (default: all cores)')
    .option('--search <kind>', 'benchmarking: sisr, hgs or portfolio (default: the solver\'s own choice)')
    .option('--small', 'small random problems (--jobs, default 5,10,25,50,100) with the default time limit, in-process and over POST /vrp')
    .option('--json', 'print one JSON object')
    .action((paths: string[], opts: { timeLimit: string; seed: string; bks?: string; json?: boolean; runToTimeLimit?: boolean; cpuTime?: boolean; threads?: string; search?: string; small?: boolean; road?: string; times?: string; writeProblems?: string; jobs: string; vehicles: string; offRoad?: string; areaKm?: string }) => {
      const positive = (text: string, what: string) => {
        const n = Number(text);
        if (!Number.isInteger(n) || n < 1) throw new WaymarkError('InvalidValue', `${what} must be positive integers, not '${text}'`);
        return n;
      };
      if (opts.small) {
        if (paths.length > 0 || opts.road) throw new WaymarkError('InvalidValue', '--small generates its own problems: give no instance paths and no --road');
        const jobs = opts.jobs === '200' ? [5, 10, 25, 50, 100] : opts.jobs.split(',').map((x) => positive(x, '--jobs'));
        return benchVrpSmall({ jobs, seed: Number(opts.seed), json: Boolean(opts.json) }).then(() => undefined);
      }
      if (opts.road) {
        if (paths.length > 0) throw new WaymarkError('InvalidValue', '--road generates its own problems: give no instance paths');
        const times = opts.times?.split(',').map((x) => {
          const t = Number(x);
          if (!(t >= 0) || !Number.isFinite(t)) throw new WaymarkError('InvalidValue', `--times must be seconds, not '${x}'`);
          return t;
        });
        benchRoadVrp(opts.road.split(','), {
          ...(times ? { times } : {}),
          ...(opts.writeProblems ? { writeProblems: opts.writeProblems } : {}),
          jobs: opts.jobs.split(',').map((x) => positive(x, '--jobs')),
          vehicles: opts.vehicles.split(',').map((x) => positive(x, '--vehicles')),
          seed: Number(opts.seed),
          timeLimit: Number(opts.timeLimit),
          json: Boolean(opts.json),
          ...(opts.offRoad !== undefined ? { offRoad: Number(opts.offRoad) } : {}),
          ...(opts.areaKm !== undefined ? { areaKm: positive(opts.areaKm, '--area-km') } : {}),
        });
        return;
      }
      if (paths.length === 0) throw new WaymarkError('InvalidValue', 'give instance files or folders, or --road <map>');
      const searchKind = (s: string) => {
        if (s === 'sisr' || s === 'hgs' || s === 'portfolio') return s;
        throw new WaymarkError('InvalidValue', `--search must be sisr, hgs or portfolio, not '${s}'`);
      };
      benchVrp(paths, {
        timeLimit: Number(opts.timeLimit),
        seed: Number(opts.seed),
        json: Boolean(opts.json),
        runToTimeLimit: Boolean(opts.runToTimeLimit),
        cpuTime: Boolean(opts.cpuTime),
        ...(opts.threads !== undefined ? { threads: positive(opts.threads, '--threads') } : {}),
        ...(opts.search !== undefined ? { search: searchKind(opts.search) } : {}),
        ...(opts.bks ? { bks: opts.bks } : {}),
      });
    });
  bench
    .command('replan')
    .description('re-optimising a live plan: solve a road day, add new orders, replan with the previous routes as warm start (short limit) vs from scratch (long limit)')
    .requiredOption('--road <map>', 'map file (.wmap) or OSM PBF (built first; its buildings give the addresses)')
    .option('--jobs <n>', 'jobs in the solved plan', '1000')
    .option('--vehicles <n>', 'vans', '50')
    .option('--new-percent <p>', 'new orders, percent of the jobs', '5')
    .option('--base-time <s>', 'time limit of the first plan', '30')
    .option('--replan-time <s>', 'time limit of the replan', '2')
    .option('--scratch-time <s>', 'time limit of the from-scratch solve of the changed problem', '30')
    .option('--seed <n>', 'random seed', '1')
    .option('--cpu-time', 'benchmarking: every time limit is a CPU budget (time limit x threads CPU-seconds of the process), so that the load does not distort the replan vs from-scratch comparison')
    .option('--threads <n>', 'solver threads (default: all cores)')
    .option('--reuse <dir>', 'keep the plan and the from-scratch solution in this folder and read them back on later runs with the same parameters (only the replan is solved again)')
    .option('--replans <n>', 'solve the replan n times (solver seeds seed, seed + 1, ...) and print each gap, their mean and max', '1')
    .option('--replan-iterations <n>', 'cap each replan at n search iterations per thread (no exchange between threads): the same search at any load, for side-by-side comparisons (the warm start\'s first steps still stop at their share of the time limit)')
    .option('--scratch-runs <n>', 'solve the changed problem from scratch n times (solver seeds seed, seed + 1, ...) and also print the replans against the mean of their costs', '1')
    .option('--plans <n>', 'do it all for n days (seeds seed, seed + 1, ...: each day as --seed alone) on one map build, and print the mean over all their replans', '1')
    .option('--json', 'print one JSON object')
    .action((opts: { road: string; jobs: string; vehicles: string; newPercent: string; baseTime: string; replanTime: string; scratchTime: string; seed: string; cpuTime?: boolean; threads?: string; reuse?: string; replans: string; replanIterations?: string; scratchRuns: string; plans: string; json?: boolean }) => {
      const num = (text: string, what: string) => {
        const n = Number(text);
        if (!(n >= 0) || !Number.isFinite(n)) throw new WaymarkError('InvalidValue', `${what} must be a non-negative number, not '${text}'`);
        return n;
      };
      benchReplan(opts.road, {
        jobs: num(opts.jobs, '--jobs'),
        vehicles: num(opts.vehicles, '--vehicles'),
        newPercent: num(opts.newPercent, '--new-percent'),
        baseTime: num(opts.baseTime, '--base-time'),
        replanTime: num(opts.replanTime, '--replan-time'),
        scratchTime: num(opts.scratchTime, '--scratch-time'),
        seed: num(opts.seed, '--seed'),
        ...(opts.cpuTime ? { cpuTime: true } : {}),
        ...(opts.threads !== undefined ? { threads: num(opts.threads, '--threads') } : {}),
        ...(opts.reuse ? { reuse: opts.reuse } : {}),
        replans: count(opts.replans, '--replans', 1),
        scratchRuns: count(opts.scratchRuns, '--scratch-runs', 1),
        plans: count(opts.plans, '--plans', 1),
        ...(opts.replanIterations !== undefined ? { replanIterations: count(opts.replanIterations, '--replan-iterations', 1) } : {}),
        json: Boolean(opts.json),
      });
    });
  bench
    .command('tiles')
    .description('road vector tiles: index build, cut-and-encode time per tile (p50/p99), cache hit rate while panning')
    .argument('<map>', 'map file (.wmap)')
    .option('--stops <n>', 'places each simulated user pans between', '8')
    .option('--json', 'print one JSON object')
    .action(async (map: string, opts: { stops: string; json?: boolean }) => benchTiles(map, { stops: Number(opts.stops), json: Boolean(opts.json) }));
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

/**
 * Benchmarks start servers, database clusters and temporary folders that they remove on exit: a
 * signal (Ctrl-C, `timeout`) ends the process through the same exit hooks instead of leaving them
 * behind (Node's default for a signal skips them).
 */
function exitOnSignals(): void {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) process.once(signal, () => process.exit(code));
}
