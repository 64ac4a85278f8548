/**
 * The HTTP service: Fastify answers, Piscina workers compute. Each endpoint is a plugin with its
 * JSON schema beside its handler; the schemas produce /openapi.json and the /docs page.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { pino } from 'pino';
import { Gauge } from 'prom-client';
import { WaymarkError } from '../errors.js';
import { VrpJobs } from '../jobs/service.js';
import { JobStoreUnavailable } from '../jobs/store.js';
import { mapRef, openMapFile } from '../maps/open.js';
import { native } from '../native/index.js';
import type { ServerConfig } from './config.js';
import type { LoadedMapInfo, ServerContext } from './context.js';
import { ApiError, apiErrorOf } from './errors.js';
import { coverageOf, loadTrafficFile, retireTraffic, type TrafficResult } from './traffic.js';
import { ServerMetrics } from './metrics.js';
import { QueryPool } from './pool.js';
import { releaseAfterBigAnswer } from './release-memory.js';
import { installRequestParsing, validationMessage } from './request-parsing.js';
import { matrixPlugin } from './routes/matrix.js';
import { opsPlugin } from './routes/ops.js';
import { osrmMatchPlugin } from './routes/osrm-match.js';
import { osrmNearestPlugin } from './routes/osrm-nearest.js';
import { osrmRoutePlugin } from './routes/osrm-route.js';
import { osrmTablePlugin } from './routes/osrm-table.js';
import { osrmTripPlugin } from './routes/osrm-trip.js';
import { routePlugin } from './routes/route.js';
import { adminPlugin } from './routes/admin.js';
import { isochronePlugin } from './routes/isochrone.js';
import { reachPlugin } from './routes/reach.js';
import { zonesEtaPlugin } from './routes/zones-eta.js';
import { zonesMatrixPlugin } from './routes/zones-matrix.js';
import { vrpPlugin } from './routes/vrp.js';
import { pagePlugin } from './routes/page.js';
import { tilesPlugin } from './routes/tiles.js';
import { RoadTileCache } from '../web/road-tiles.js';
import { profilePlugin } from './routes/profile.js';
import { traceRequests } from '../telemetry/http.js';
import { startTracing, type Tracing } from '../telemetry/tracing.js';

export class WaymarkServer {
  readonly app: FastifyInstance;
  readonly ctx: ServerContext;
  /** Road vector tiles of the served maps, cached per map version. */
  readonly roadTiles = new RoadTileCache();
  private closing = false;
  private tracing: Tracing | undefined;
  private readonly logStream = bufferedStdout();

  constructor(readonly config: ServerConfig) {
    const pool = new QueryPool(config.workers, config.maxQueue, config.requestTimeoutMs, { tracing: config.tracing, profiling: Boolean(config.adminToken) });
    this.ctx = { config, pool, metrics: new ServerMetrics(pool), maps: new Map(), ready: false, reloads: new Map() };
    this.ctx.metrics.trafficSource = () =>
      [...this.ctx.maps.values()].flatMap((m) =>
        m.traffic ? [{ profile: m.profile, version: m.traffic.version, installedAt: m.traffic.installedAt, coverage: coverageOf(m.traffic.stats), customizeMs: m.traffic.customizeMs }] : [],
      );
    this.app = Fastify({
      logger: { level: config.logLevel, base: { service: 'waymark' }, stream: this.logStream.stream },
      logController: new LogController({ disableRequestLogging: true }),
      // OSRM puts every coordinate in one path segment: a 1,000-point table is ~25 KB.
      routerOptions: { maxParamLength: config.bodyLimitBytes },
      http: { maxHeaderSize: 256 * 1024 },
      bodyLimit: config.bodyLimitBytes,
      forceCloseConnections: 'idle',
      // Errors Fastify answers itself, before any route: the same { code, message } shape.
      frameworkErrors: (error, _request, reply) => {
        void (reply as unknown as FastifyReply).code(400).send({ code: 'InvalidQuery', message: error.code === 'FST_ERR_BAD_URL' ? `the URL is malformed: ${error.message}` : error.message });
      },
      clientErrorHandler: (error: Error & { code?: string }, socket) => {
        if (!socket.writable) return;
        const [status, reason, code, message] =
          error.code === 'HPE_HEADER_OVERFLOW'
            ? [431, 'Request Header Fields Too Large', 'HeadersTooLarge', 'the request headers exceed the size limit']
            : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
              ? [408, 'Request Timeout', 'Timeout', 'the request was not received in time']
              : [400, 'Bad Request', 'InvalidQuery', 'the request is not valid HTTP'];
        const body = JSON.stringify({ code, message });
        socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      },
    });
    installRequestParsing(this.app);
    this.ctx.jobs = new VrpJobs(
      config,
      // Jobs run on the current map file, and on the live traffic installed when they start.
      () => Object.fromEntries([...this.ctx.maps.entries()].map(([profile, m]) => [profile, m.traffic ? `${m.path}#@tlatest` : m.path])),
      this.app.log,
    );
    const jobs = this.ctx.jobs;
    new Gauge({
      name: 'waymark_vrp_jobs',
      help: 'VRP jobs in the durable store, by status',
      labelNames: ['status'],
      registers: [this.ctx.metrics.registry],
      async collect() {
        try {
          for (const [status, n] of Object.entries(await jobs.store.counts())) this.set({ status }, n);
        } catch {
          // the job database is unreachable: the gauge keeps its last values
        }
      },
    });
    this.setup();
  }

  private setup(): void {
    const { app, ctx } = this;
    if (this.config.tracing) traceRequests(app);
    // While shutting down, answers close their connection: a keep-alive socket left open by a client
    // would otherwise hold the shutdown until the client lets go. (Hooks here take callbacks: an
    // async hook costs a promise per request for nothing.)
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (this.closing) void reply.header('connection', 'close');
      done(null, payload);
    });
    // One log line per request, with its latency; and the request metrics.
    const requestMetrics = new Map<string, { count: { inc(): void }; latency: { observe(v: number): void } }>();
    app.addHook('onResponse', (request, reply, done) => {
      // Sent in full: a big answer's string can be collected now.
      releaseAfterBigAnswer(Number(reply.getHeader('content-length') ?? 0));
      const route = request.routeOptions.url ?? 'unmatched';
      const status = reply.statusCode;
      // The labelled children, looked up once per route, method and status rather than hashed per request.
      const key = `${request.method} ${status} ${route}`;
      let m = requestMetrics.get(key);
      if (!m) {
        const labels = { route, method: request.method, status: String(status) };
        m = { count: ctx.metrics.requests.labels(labels), latency: ctx.metrics.latency.labels(labels) };
        requestMetrics.set(key, m);
      }
      m.count.inc();
      m.latency.observe(reply.elapsedTime / 1000);
      request.log.info({ method: request.method, url: request.url, status, ms: Math.round(reply.elapsedTime * 100) / 100 }, 'request');
      done();
    });
    app.setErrorHandler((error: FastifyError | ApiError | Error, request, reply) => {
      const api = toApiError(error);
      if (api.statusCode >= 500 && api.code !== 'Overloaded' && api.code !== 'Timeout' && api.code !== 'NotReady' && api.code !== 'JobStoreUnavailable') {
        request.log.error({ err: error }, 'request failed');
      }
      void reply.code(api.statusCode).headers(api.headers).send({ code: api.code, message: api.message });
    });
    app.setNotFoundHandler((request, reply) => {
      void reply.code(404).send({ code: 'NotFound', message: `no endpoint ${request.method} ${request.url.split('?')[0]}` });
    });
    void app.register(swagger, {
      openapi: {
        info: { title: 'Waymark', description: 'Road routing and distance matrices; OSRM-compatible endpoints under /route/v1, /table/v1, /nearest/v1.', version: '0.1.0' },
        tags: [
          { name: 'routing', description: 'Waymark JSON API (coordinates as [lon, lat])' },
          { name: 'osrm', description: 'OSRM-compatible services' },
          { name: 'vrp', description: 'vehicle routing: synchronous solves and durable jobs (VROOM format)' },
          { name: 'operations', description: 'health, metrics, info' },
          { name: 'map', description: 'the map page and its road vector tiles' },
        ],
      },
    });
    void app.register(swaggerUi, { routePrefix: '/docs' });
    void app.register(async (scope) => {
      scope.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    });
    for (const plugin of [routePlugin, matrixPlugin, osrmRoutePlugin, osrmTablePlugin, osrmNearestPlugin, osrmMatchPlugin, osrmTripPlugin, vrpPlugin, opsPlugin]) {
      void app.register(plugin, { ctx });
    }
    void app.register(adminPlugin, { ctx, server: this });
    for (const plugin of [isochronePlugin, reachPlugin, zonesMatrixPlugin, zonesEtaPlugin]) void app.register(plugin, { ctx });
    void app.register(tilesPlugin, { ctx, cache: this.roadTiles });
    void app.register(pagePlugin);
    void app.register(profilePlugin, { ctx });
  }

  /** Starts listening; returns the address. Maps load separately (loadMaps) so probes answer at once. */
  async listen(): Promise<string> {
    // The job store first: an unreachable or unmigratable job database fails start-up.
    await this.ctx.jobs!.open();
    if (this.config.tracing && !this.tracing) this.tracing = await startTracing();
    return this.app.listen({ host: this.config.host, port: this.config.port });
  }

  /**
   * Loads one profile's map beside the one serving, self-tests it through the workers, then swaps
   * it in atomically: requests in flight finish on the old version, new ones use the new one, and
   * the old mapping is released once nothing uses it. A bad map (unreadable, corrupt, wrong
   * version or profile, failed self-test) is refused and the old one keeps serving.
   */
  async loadMap(profile: string, path: string): Promise<LoadedMapInfo> {
    const at = new Date().toISOString();
    try {
      const opened = openMapFile(path);
      if (opened.header.profile !== profile) {
        native.releaseMap(opened.handle);
        throw new WaymarkError('MapProfileMismatch', `${path} is a '${opened.header.profile}' map, not '${profile}'`);
      }
      const info: LoadedMapInfo = {
        profile,
        path,
        header: opened.header,
        loadedAt: at,
        ref: mapRef(path, opened.header.checksum),
        version: opened.header.checksum,
        handle: opened.handle,
        inflight: 0,
        retired: false,
      };
      try {
        await this.ctx.pool.run({ kind: 'selftest', map: info.ref }, Math.max(this.config.requestTimeoutMs, 60_000));
      } catch (err) {
        native.releaseMap(opened.handle);
        throw err;
      }
      const old = this.ctx.maps.get(profile);
      this.ctx.maps.set(profile, info);
      if (old) {
        // Live traffic belongs to the map version it was read against: a reload starts from the new map's own weights.
        retireTraffic(old, old.traffic);
        old.traffic = undefined;
        old.retired = true;
        if (old.inflight === 0) native.releaseMap(old.handle);
      }
      this.ctx.metrics.mapInfo.reset();
      for (const m of this.ctx.maps.values()) {
        this.ctx.metrics.mapInfo.set({ profile: m.profile, checksum: m.version, source: m.header.sourceName, built: new Date(m.header.buildTimeUnixMs).toISOString() }, 1);
      }
      this.ctx.metrics.reloads.inc({ profile, result: 'ok' });
      this.ctx.reloads.set(profile, { at, ok: true, path, version: info.version });
      this.app.log.info({ profile, path, version: info.version, replaced: old?.version ?? null }, 'map loaded and self-tested');
      return info;
    } catch (err) {
      const e = err as { code?: string; message?: string };
      this.ctx.metrics.reloads.inc({ profile, result: 'failed' });
      this.ctx.reloads.set(profile, { at, ok: false, path, code: e.code ?? 'InternalError', message: e.message ?? String(err) });
      this.app.log.error({ profile, path, code: e.code, err: e.message }, 'map refused; the previous map keeps serving');
      throw err;
    }
  }

  /** Opens every map, runs a self-test query on each through the workers, then turns ready. */
  async loadMaps(): Promise<void> {
    for (const [profile, path] of Object.entries(this.config.maps)) await this.loadMap(profile, path);
    for (const file of this.config.trafficFiles) await this.loadTrafficFile(file);
    this.ctx.ready = true;
    await this.ctx.jobs?.start();
  }

  /** Installs a metric file as live traffic on the served map it was written for (MetricMismatch when none). */
  async loadTrafficFile(path: string): Promise<TrafficResult> {
    const maps = [...this.ctx.maps.values()];
    for (const map of maps) {
      try {
        const result = await loadTrafficFile(this.ctx, map, path);
        this.app.log.info({ profile: map.profile, path, mapVersion: result.mapVersion, loadMs: result.file?.loadMs }, 'metric file installed as live traffic');
        return result;
      } catch (err) {
        if (err instanceof WaymarkError && err.code === 'MetricMismatch' && map !== maps[maps.length - 1]) continue;
        throw err;
      }
    }
    throw new WaymarkError('MetricMismatch', `${path}: no map is served`);
  }

  /** Reloads maps from their configured paths (all, or the given profiles); failures leave the old map serving. */
  async reload(profiles = Object.keys(this.config.maps)): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const profile of profiles) {
      const path = this.config.maps[profile];
      if (!path) {
        out[profile] = { ok: false, code: 'InvalidValue', message: `profile '${profile}' is not served` };
        continue;
      }
      try {
        await this.loadMap(profile, path);
      } catch {
        // recorded in ctx.reloads, metrics and logs
      }
      out[profile] = this.ctx.reloads.get(profile);
    }
    return out;
  }

  /** Graceful: stop accepting, let requests in flight finish, then stop the workers. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.ctx.ready = false;
    await this.ctx.jobs?.drain();
    await this.app.close();
    await this.ctx.pool.destroy();
    await this.ctx.jobs?.close();
    await this.roadTiles.close();
    await this.tracing?.shutdown();
    this.logStream.close();
  }
}

/**
 * Log lines go to stdout through a buffer: one write per 4 KB or per 100 ms rather than one per
 * line (a write per request to a pipe is a system call and a wake-up of the reader, each time). The
 * buffer is also written out when the process exits (pino registers that for asynchronous streams).
 */
function bufferedStdout(): { stream: ReturnType<typeof pino.destination>; close(): void } {
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const timer = setInterval(() => stream.flush(), 100);
  timer.unref();
  return {
    stream,
    close() {
      clearInterval(timer);
      stream.flush();
    },
  };
}

function toApiError(error: FastifyError | ApiError | Error): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof WaymarkError) return apiErrorOf(error);
  if (error instanceof JobStoreUnavailable) return new ApiError(503, error.code, error.message, { 'retry-after': '1' });
  const fe = error as FastifyError;
  if (fe.validation) return new ApiError(400, 'InvalidValue', validationMessage(fe.validationContext ?? 'request', fe.validation[0] as Parameters<typeof validationMessage>[1]));
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'InvalidQuery', `the body is not valid JSON: ${fe.message}`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'PayloadTooLarge', fe.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError(fe.statusCode ?? 415, fe.statusCode === 400 ? 'InvalidQuery' : 'UnsupportedMediaType', fe.statusCode === 400 ? fe.message : 'send the body as application/json');
  }
  if (error instanceof SyntaxError || fe.statusCode === 400) return new ApiError(400, 'InvalidQuery', fe.message);
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return new ApiError(fe.statusCode, 'InvalidQuery', fe.message);
  return new ApiError(500, 'InternalError', 'internal error');
}
