/**
 * Admin endpoints, protected by the token in WAYMARK_ADMIN_TOKEN (Authorization: Bearer <token>);
 * without a token configured they do not exist.
 * - POST /admin/reload: load new map files beside the old ones and swap them in.
 * - POST /admin/traffic: live traffic as OSRM's CSV (streamed, never buffered whole), customized,
 *   self-tested and swapped in (src/server/traffic.ts); DELETE /admin/traffic goes back to the map's
 *   own weights. With Content-Type application/vnd.waymark.metric the body is a metric file
 *   (`waymark traffic ... -o`): streamed to a temporary file, validated against the map and installed
 *   without customizing.
 */
import { timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { WaymarkError } from '../../errors.js';
import type { WaymarkServer } from '../app.js';
import type { ServerContext } from '../context.js';
import { requireMap } from '../context.js';
import { ApiError, apiErrorOf, errorSchema } from '../errors.js';
import { applyTraffic, clearTraffic, loadTrafficFile } from '../traffic.js';

const METRIC_TYPE = 'application/vnd.waymark.metric';
const TRAFFIC_TYPES = ['text/csv', 'text/plain', 'application/octet-stream', METRIC_TYPE];

/** A metric file body: written to a private temporary file (metric files are read by path), loaded, removed. */
async function loadMetricBody(ctx: ServerContext, map: Parameters<typeof loadTrafficFile>[1], body: Readable) {
  const dir = await mkdtemp(join(tmpdir(), 'waymark-metric-'));
  try {
    const path = join(dir, 'upload.wmetric');
    await pipeline(body, createWriteStream(path, { mode: 0o600 }));
    return await loadTrafficFile(ctx, map, path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const adminPlugin: FastifyPluginAsync<{ ctx: ServerContext; server: WaymarkServer }> = async (app, { ctx, server }) => {
  const token = ctx.config.adminToken;
  if (!token) return;
  const authorize = (request: FastifyRequest) => {
    const given = Buffer.from((request.headers.authorization ?? '').replace(/^Bearer /, ''));
    const expected = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new ApiError(401, 'Unauthorized', 'a valid admin token is required');
  };
  // Traffic files arrive as a stream (in this plugin's scope only): the JSON body limit does not
  // apply, and the file is read chunk by chunk, never held whole.
  app.addContentTypeParser(TRAFFIC_TYPES, (_request, payload, done) => done(null, payload));
  // Authorization before the body is read.
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/admin/')) authorize(request);
  });

  app.post<{ Body: { profiles?: string[] } | undefined }>(
    '/admin/reload',
    {
      schema: {
        summary: 'Reload map files and swap them in without downtime',
        description: 'Needs `Authorization: Bearer <WAYMARK_ADMIN_TOKEN>`. A map that fails validation or its self-test is refused; the old one keeps serving.',
        tags: ['operations'],
        body: { type: ['object', 'null'], properties: { profiles: { type: 'array', items: { type: 'string' } } } },
        response: { '4xx': errorSchema, '5xx': errorSchema },
      },
    },
    async (request) => {
      return { results: await server.reload(request.body?.profiles) };
    },
  );

  app.post<{ Querystring: { profile?: string } }>(
    '/admin/traffic',
    {
      schema: {
        summary: 'Live traffic: segment speeds (and turn penalties) in OSRM\'s CSV format',
        description:
          'Needs `Authorization: Bearer <WAYMARK_ADMIN_TOKEN>` and `Content-Type: text/csv`. Body: lines `from_osm_node_id,to_osm_node_id,speed_kmh[,rate]` ' +
          '(speed 0 closes the segment; rate: weight in m/s), then optionally a line `# turns` and lines `from_osm_node_id,via_osm_node_id,to_osm_node_id,penalty_s[,weight_penalty_s]`. ' +
          'Streamed (any size). Unknown node pairs are counted, not errors; a malformed line is a 400 InvalidTrafficFile naming its line, and the serving metric stays. ' +
          'The new metric is customized beside the serving one, self-tested against plain Dijkstra and swapped in atomically; X-Map-Version becomes <checksum>+t<version>. ' +
          `With \`Content-Type: ${METRIC_TYPE}\` the body is a metric file written by \`waymark traffic <map> <csv> -o file.wmetric\`: validated against the map ` +
          '(409 MetricMismatch when written for another map, 400 MetricCorrupt when damaged or truncated, 400 MetricVersionUnsupported), self-tested and swapped in the same way, without customizing.',
        tags: ['operations'],
        querystring: { type: 'object', properties: { profile: { type: 'string', default: 'car' } }, additionalProperties: false },
        response: { '4xx': errorSchema, '5xx': errorSchema },
      },
    },
    async (request) => {
      const body = request.body as Readable | undefined;
      if (!body || typeof (body as Readable).pipe !== 'function') {
        throw new ApiError(415, 'UnsupportedMediaType', `send the traffic file as ${TRAFFIC_TYPES.join(', ')}`);
      }
      const map = requireMap(ctx, request.query.profile);
      try {
        const metricFile = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() === METRIC_TYPE;
        return await (metricFile ? loadMetricBody(ctx, map, body) : applyTraffic(ctx, map, body));
      } catch (err) {
        ctx.metrics.trafficUpdates.inc({ profile: map.profile, result: 'refused' });
        body.resume(); // drain what the client still sends
        if (err instanceof WaymarkError) {
          const e = apiErrorOf(err);
          throw e.statusCode === 500 && err.code === 'SelfTestFailed' ? new ApiError(500, err.code, err.message) : e;
        }
        throw err;
      }
    },
  );

  app.delete<{ Querystring: { profile?: string } }>(
    '/admin/traffic',
    {
      schema: {
        summary: 'Drop live traffic: back to the map\'s own weights',
        tags: ['operations'],
        querystring: { type: 'object', properties: { profile: { type: 'string', default: 'car' } }, additionalProperties: false },
        response: { '4xx': errorSchema, '5xx': errorSchema },
      },
    },
    async (request) => ({ cleared: clearTraffic(requireMap(ctx, request.query.profile)) }),
  );
};
