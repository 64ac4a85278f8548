/**
 * `waymark bench metrics <map>`: what other weights cost. A live-traffic file covering every
 * drivable OSM segment of the map (random speeds) is read and customized a few times (read and
 * customization ms per update, file size); exclude sets and a custom model are customized on first
 * use and found in the cache afterwards (first vs cached cost); CH query latency on the traffic
 * metric beside the map's own weights, same pairs, same run.
 */
import { rmSync, createReadStream, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMapFile } from '../src/maps/open.js';
import { native, type MapHandle } from '../src/native/index.js';
import { metricHandle, type MetricRequest } from '../src/routing/metric.js';
import { fmt, percentile, sortedCopy } from './stats.js';
import { writeSpeedsFile } from './traffic-load.js';

export async function benchMetrics(mapPath: string, options: { updates: number; queries: number; json: boolean }): Promise<Record<string, unknown>> {
  const map = openMapFile(mapPath).handle;
  const file = join(tmpdir(), `waymark-bench-speeds-${process.pid}.csv`);
  const lines = writeSpeedsFile(map, file, 1);
  const bytes = statSync(file).size;
  const updates: { readMs: number; customizeMs: number; customizeCpuMs: number; totalMs: number; coverage: number }[] = [];
  const cpuMs = (since: NodeJS.CpuUsage) => {
    const d = process.cpuUsage(since);
    return (d.user + d.system) / 1000;
  };
  let traffic: MapHandle | undefined;
  try {
    for (let u = 1; u <= options.updates; u++) {
      const t0 = performance.now();
      const update = native.trafficCreate(map);
      for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 })) native.trafficPush(update, chunk as Buffer);
      const t1 = performance.now();
      const cpu = process.cpuUsage();
      const r = await native.trafficFinish(update, 1_000_000 + u);
      updates.push({ readMs: t1 - t0, customizeMs: r.customizeMs, customizeCpuMs: cpuMs(cpu), totalMs: performance.now() - t0, coverage: r.stats.osmSegmentsSet / r.stats.osmSegments });
      if (traffic) native.metricUnpin(map, `traffic:${1_000_000 + u - 1}`);
      traffic = r.metric;
    }
  } finally {
    rmSync(file, { force: true });
  }
  // The last update as a metric file (waymark traffic -o), loaded as `serve --traffic` does: no customization.
  const metricFile = join(tmpdir(), `waymark-bench-${process.pid}.wmetric`);
  const loads: { loadMs: number; loadCpuMs: number }[] = [];
  let metricFileBytes = 0;
  try {
    metricFileBytes = native.metricWrite(traffic!, metricFile, {}).bytes;
    for (let u = 1; u <= Math.max(3, options.updates); u++) {
      const cpu = process.cpuUsage();
      const r = await native.metricLoad(map, metricFile, 2_000_000 + u);
      loads.push({ loadMs: r.loadMs, loadCpuMs: cpuMs(cpu) });
      native.metricUnpin(map, `traffic:${2_000_000 + u}`);
      native.releaseMap(r.metric);
    }
  } finally {
    rmSync(metricFile, { force: true });
  }
  const firstAndCached = (req: MetricRequest) => {
    const t0 = performance.now();
    metricHandle(map, req);
    const first = performance.now() - t0;
    const t1 = performance.now();
    for (let i = 0; i < 100; i++) metricHandle(map, req);
    return { firstMs: first, cachedMs: (performance.now() - t1) / 100 };
  };
  const exclude = firstAndCached({ exclude: ['motorway', 'toll'] });
  const model = firstAndCached({
    customModel: { priority: [{ if: 'road_class == RESIDENTIAL', multiply_by: 0.5 }], speed: [{ if: 'true', limit_to: 80 }], distance_influence: 70 },
  });
  const pairs = native.randomRoadPoints(map, options.queries * 2, 2);
  native.benchRoutes(map, pairs.subarray(0, Math.min(pairs.length, 2000)), 'ch');
  const base = sortedCopy(native.benchRoutes(map, pairs, 'ch').micros);
  native.benchRoutes(traffic!, pairs.subarray(0, Math.min(pairs.length, 2000)), 'ch');
  const onTraffic = sortedCopy(native.benchRoutes(traffic!, pairs, 'ch').micros);
  const out = {
    map: mapPath,
    speedsFile: { lines, bytes },
    trafficUpdates: updates,
    metricFile: { bytes: metricFileBytes, loads },
    excludeMotorwayToll: exclude,
    customModel: model,
    queryP50Micros: { map: percentile(base, 50), traffic: percentile(onTraffic, 50) },
    queryP99Micros: { map: percentile(base, 99), traffic: percentile(onTraffic, 99) },
  };
  if (options.json) console.log(JSON.stringify(out));
  else {
    console.log(`${mapPath}: speeds file ${lines} lines, ${fmt(bytes / 1e6, 2)} MB`);
    for (const [i, u] of updates.entries()) console.log(`  traffic update ${i + 1}: read ${fmt(u.readMs)} ms, customize ${fmt(u.customizeMs)} ms (${fmt(u.customizeCpuMs)} ms CPU), total ${fmt(u.totalMs)} ms, coverage ${fmt(100 * u.coverage)} %`);
    for (const [i, l] of loads.entries()) console.log(`  metric file (${fmt(metricFileBytes / 1e6, 2)} MB) load ${i + 1}: ${fmt(l.loadMs)} ms, ${fmt(l.loadCpuMs)} ms CPU`);
    console.log(`  exclude=motorway,toll: first ${fmt(exclude.firstMs)} ms, cached ${fmt(exclude.cachedMs, 3)} ms`);
    console.log(`  custom model: first ${fmt(model.firstMs)} ms, cached ${fmt(model.cachedMs, 3)} ms`);
    console.log(`  query p50: map ${fmt(base.length ? percentile(base, 50) : NaN)} µs, traffic metric ${fmt(percentile(onTraffic, 50))} µs (p99 ${fmt(percentile(base, 99))} / ${fmt(percentile(onTraffic, 99))})`);
  }
  return out;
}
