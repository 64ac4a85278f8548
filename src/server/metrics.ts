/** Prometheus metrics (prom-client), one registry per server. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueryPool } from './pool.js';

/** Seconds over which waymark_worker_utilization is averaged. */
const UTILIZATION_WINDOW_S = 60;

export class ServerMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'method' | 'status'>;
  readonly latency: Histogram<'route' | 'method' | 'status'>;
  readonly mapInfo: Gauge<'profile' | 'checksum' | 'source' | 'built'>;
  readonly reloads: Counter<'profile' | 'result'>;
  readonly inlineQueries: Counter<'kind'>;
  readonly inlineSeconds: Counter<'kind'>;
  readonly trafficUpdates: Counter<'profile' | 'result'>;
  /** Set by the server: the live traffic serving per profile (for the traffic gauges). */
  trafficSource: () => { profile: string; version: number; installedAt: number; coverage: number; customizeMs: number }[] = () => [];

  constructor(pool: QueryPool) {
    // Default names already say process_/nodejs_: waymark_process_cpu_seconds_total, waymark_nodejs_heap_...
    collectDefaultMetrics({ register: this.registry, prefix: 'waymark_' });
    this.requests = new Counter({
      name: 'waymark_http_requests_total',
      help: 'HTTP requests by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'waymark_http_request_duration_seconds',
      help: 'HTTP request latency by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    new Gauge({
      name: 'waymark_worker_queue_length',
      help: 'tasks waiting for a worker thread',
      registers: [this.registry],
      collect() {
        this.set(pool.piscina.queueSize);
      },
    });
    new Counter({
      name: 'waymark_worker_busy_seconds_total',
      help: 'worker-thread seconds spent on tasks (rate() over it / waymark_worker_threads = utilisation)',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(pool.busySeconds());
      },
    });
    // A windowed utilisation: busy time over the last minute (sampled each second) per thread.
    const samples: { at: number; busy: number }[] = [];
    const sample = setInterval(() => {
      samples.push({ at: performance.now(), busy: pool.busySeconds() });
      if (samples.length > UTILIZATION_WINDOW_S + 1) samples.shift();
    }, 1000);
    sample.unref();
    new Gauge({
      name: 'waymark_worker_utilization',
      help: `share of worker-thread capacity in use over the last ${UTILIZATION_WINDOW_S} s (0..1)`,
      registers: [this.registry],
      collect() {
        const now = { at: performance.now(), busy: pool.busySeconds() };
        const first = samples[0] ?? now;
        const seconds = (now.at - first.at) / 1000;
        const threads = Math.max(1, pool.piscina.options.maxThreads as number);
        this.set(seconds > 0 ? Math.min(1, (now.busy - first.busy) / (seconds * threads)) : 0);
      },
    });
    new Gauge({
      name: 'waymark_worker_threads',
      help: 'worker threads running queries',
      registers: [this.registry],
      collect() {
        this.set(pool.piscina.threads.length);
      },
    });
    this.inlineQueries = new Counter({
      name: 'waymark_inline_queries_total',
      help: 'tiny route queries answered on the main thread, without a worker hop, by kind (route, osrm-route)',
      labelNames: ['kind'],
      registers: [this.registry],
    });
    this.inlineSeconds = new Counter({
      name: 'waymark_inline_query_seconds_total',
      help: 'main-thread seconds spent on inline queries (rate() over it: the share of the event loop they take)',
      labelNames: ['kind'],
      registers: [this.registry],
    });
    this.reloads = new Counter({
      name: 'waymark_map_loads_total',
      help: 'map loads and reloads by profile and result (ok, failed)',
      labelNames: ['profile', 'result'],
      registers: [this.registry],
    });
    this.trafficUpdates = new Counter({
      name: 'waymark_traffic_updates_total',
      help: 'live-traffic updates by profile and result (ok, refused)',
      labelNames: ['profile', 'result'],
      registers: [this.registry],
    });
    const traffic = () => this.trafficSource();
    new Gauge({
      name: 'waymark_traffic_version',
      help: 'version of the live-traffic metric serving per profile (absent: the map\'s own weights)',
      labelNames: ['profile'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const t of traffic()) this.set({ profile: t.profile }, t.version);
      },
    });
    new Gauge({
      name: 'waymark_traffic_age_seconds',
      help: 'seconds since the serving live-traffic metric was installed',
      labelNames: ['profile'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const t of traffic()) this.set({ profile: t.profile }, (Date.now() - t.installedAt) / 1000);
      },
    });
    new Gauge({
      name: 'waymark_traffic_coverage_ratio',
      help: 'share of the map\'s drivable directed OSM segments the serving traffic update gave a speed (0..1)',
      labelNames: ['profile'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const t of traffic()) this.set({ profile: t.profile }, t.coverage);
      },
    });
    new Gauge({
      name: 'waymark_traffic_customize_seconds',
      help: 'customization time of the serving live-traffic metric',
      labelNames: ['profile'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const t of traffic()) this.set({ profile: t.profile }, t.customizeMs / 1000);
      },
    });
    this.mapInfo = new Gauge({
      name: 'waymark_map_info',
      help: 'the loaded map (value 1), labelled with its profile, checksum, source and build time',
      labelNames: ['profile', 'checksum', 'source', 'built'],
      registers: [this.registry],
    });
  }
}
