import { createReadStream } from 'node:fs';
import type { Command } from 'commander';
import { WaymarkError } from '../errors.js';
import { openMapFile } from '../maps/open.js';
import { isNativeError, native } from '../native/index.js';
import { printJson } from './output.js';

/**
 * `waymark traffic <map> <speeds.csv>`: reads a live-traffic file (OSRM's CSV) against a map,
 * customizes the metric and checks routes on it against plain Dijkstra: what POST /admin/traffic
 * does on a server, as a dry run with figures (read, customization and query times, coverage).
 * With `-o file.wmetric` it writes the customized metric to a metric file (native/metric/metric_file.h)
 * that `waymark serve --traffic` and POST /admin/traffic load without customizing again; the file is
 * written only when every checked route agrees with plain Dijkstra.
 */
export function registerTraffic(program: Command): void {
  program
    .command('traffic')
    .description('apply a live-traffic file (OSRM CSV: from_osm_node_id,to_osm_node_id,speed_kmh[,rate]) to a map and report the customization')
    .argument('<map>', 'map file (.wmap)')
    .argument('<speeds>', 'segment speeds CSV')
    .option('--turns <file>', 'turn penalties CSV (from_osm_node_id,via_osm_node_id,to_osm_node_id,penalty_s[,weight_penalty_s])')
    .option('--check <n>', 'random routes to compare against plain Dijkstra on the new weights', '20')
    .option('-o, --output <file>', 'write the customized metric to this metric file (.wmetric) for `serve --traffic` or POST /admin/traffic')
    .option('--traffic-version <n>', 'traffic version recorded in the metric file', '1')
    .action(async (mapPath: string, speeds: string, opts: { turns?: string; check: string; output?: string; trafficVersion: string }) => {
      const n = Number(opts.check);
      if (!(Number.isInteger(n) && n >= 0 && n <= 100000)) throw new WaymarkError('InvalidValue', '--check must be an integer in [0, 100000]');
      const trafficVersion = Number(opts.trafficVersion);
      if (!(Number.isInteger(trafficVersion) && trafficVersion >= 1 && trafficVersion <= 9e15)) throw new WaymarkError('InvalidValue', '--traffic-version must be a positive integer');
      const map = openMapFile(mapPath);
      const call = <T>(fn: () => T): T => {
        try {
          return fn();
        } catch (err) {
          if (isNativeError(err)) throw new WaymarkError(err.code, `${err.message}`);
          throw err;
        }
      };
      const t0 = performance.now();
      const update = call(() => native.trafficCreate(map.handle));
      const t1 = performance.now();
      const feed = async (path: string) => {
        for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 })) call(() => native.trafficPush(update, chunk as Buffer));
      };
      try {
        await feed(speeds);
        if (opts.turns) {
          call(() => native.trafficPush(update, Buffer.from('\n# turns\n')));
          await feed(opts.turns);
        }
      } catch (err) {
        if (err instanceof WaymarkError && err.code === 'InvalidTrafficFile') throw new WaymarkError(err.code, `${speeds}: ${err.message}`);
        throw err;
      }
      const t2 = performance.now();
      const readAt = Date.now();
      const finished = await native.trafficFinish(update, trafficVersion).catch((err: unknown) => {
        throw isNativeError(err) ? new WaymarkError(err.code, err.message) : err;
      });
      const t3 = performance.now();
      const pts = native.randomRoadPoints(map.handle, 2 * n, 1);
      let agree = 0, noRoute = 0, queryMicros = 0;
      for (let i = 0; i < pts.length; i += 4) {
        const pair = pts.slice(i, i + 4);
        let fast: number | string, slow: number | string;
        const q = performance.now();
        try { fast = native.route(finished.metric, pair, { geometry: false }).weight; } catch (e) { fast = (e as { code: string }).code; }
        queryMicros += (performance.now() - q) * 1000;
        try { slow = native.referenceRoute(finished.metric, pair).duration; } catch (e) { slow = (e as { code: string }).code; }
        if (typeof fast === 'number' && typeof slow === 'number' ? Math.abs(fast - slow) < 0.002 : fast === slow) agree++;
        if (typeof fast === 'string') noRoute++;
      }
      const s = finished.stats;
      // A metric that disagrees with Dijkstra is never written.
      const written = opts.output && agree === n ? call(() => native.metricWrite(finished.metric, opts.output!, { stats: s, version: trafficVersion, createdAtMs: readAt })) : undefined;
      printJson({
        map: mapPath,
        stats: s,
        coverage: s.osmSegments ? s.osmSegmentsSet / s.osmSegments : 0,
        indexMs: t1 - t0,
        readMs: t2 - t1,
        customizeMs: finished.customizeMs,
        finishMs: t3 - t2,
        check: { routes: n, agreeWithDijkstra: agree, noRoute, meanQueryMicros: n ? queryMicros / n : 0 },
        ...(written ? { output: { path: opts.output, bytes: written.bytes, writeMs: written.writeMs, trafficVersion } } : {}),
      });
      if (agree !== n) throw new WaymarkError('SelfTestFailed', `${n - agree} of ${n} routes differ from plain Dijkstra on the new weights`);
    });
}
