/** GET /tiles/{profile}/{z}/{x}/{y}.pbf: Mapbox Vector Tiles of the served map's roads (the page's base map). */
import type { FastifyPluginAsync } from 'fastify';
import { Counter, Histogram } from 'prom-client';
import { ROAD_LAYER, RoadTileCache, TILE_MAX_ZOOM } from '../../web/road-tiles.js';
import type { ServerContext } from '../context.js';
import { requireMap, withMap } from '../context.js';
import { parseMapRef } from '../../maps/open.js';
import { ApiError, errorSchema } from '../errors.js';

interface Params {
  profile: string;
  z: number;
  x: number;
  y: number;
}

export const tilesPlugin: FastifyPluginAsync<{ ctx: ServerContext; cache?: RoadTileCache }> = async (app, { ctx, cache = new RoadTileCache() }) => {
  const requests = new Counter({
    name: 'waymark_tile_requests_total',
    help: 'Road tile requests by profile and whether the tile came from the cache',
    labelNames: ['profile', 'cache'],
    registers: [ctx.metrics.registry],
  });
  const generation = new Histogram({
    name: 'waymark_tile_generation_seconds',
    help: 'Time to cut and encode a road tile that was not cached',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5],
    registers: [ctx.metrics.registry],
  });
  app.get<{ Params: Params }>(
    '/tiles/:profile/:z/:x/:y.pbf',
    {
      schema: {
        summary: 'Vector tile (MVT) of the map\'s roads',
        description: `One layer, "${ROAD_LAYER}": a line per road with \`class\` (motorway, trunk, primary, secondary, tertiary, unclassified, residential, living_street, service, track, path, ferry, other), \`name\` (when named) and \`oneway\` (1: only in the line's direction). Tiles outside the map are empty (zero bytes). Tiles of one map version never change: the ETag is the version.`,
        tags: ['map'],
        params: {
          type: 'object',
          required: ['profile', 'z', 'x', 'y'],
          properties: {
            profile: { type: 'string' },
            z: { type: 'integer', minimum: 0, maximum: TILE_MAX_ZOOM, description: `zoom, 0..${TILE_MAX_ZOOM}` },
            x: { type: 'integer', minimum: 0, description: 'column, 0..2^z-1' },
            y: { type: 'integer', minimum: 0, description: 'row, 0..2^z-1' },
          },
        },
        response: { '4xx': errorSchema, '5xx': errorSchema },
      },
    },
    async (request, reply) => {
      const { profile, z, x, y } = request.params;
      const size = 2 ** z;
      if (x >= size || y >= size) throw new ApiError(400, 'InvalidValue', `tile ${z}/${x}/${y} does not exist: x and y must be below 2^${z} = ${size}`);
      const map = requireMap(ctx, profile);
      const etagOf = (version: string) => `"${version}-${z}-${x}-${y}"`;
      void reply.header('x-map-version', map.version).header('cache-control', 'no-cache');
      if (request.headers['if-none-match'] === etagOf(map.version)) {
        void reply.header('etag', etagOf(map.version));
        cache.stats.revalidated++;
        requests.inc({ profile: map.profile, cache: 'revalidated' });
        return reply.code(304).send();
      }
      // withMap keeps this version mapped while the worker opens it, even if a reload swaps it out meanwhile.
      const answer = await withMap(ctx, profile, reply, (ref) => {
        const { path, checksum } = parseMapRef(ref);
        void reply.header('etag', etagOf(checksum));
        return cache.tile({ profile: map.profile, path, version: checksum }, z, x, y);
      });
      requests.inc({ profile: map.profile, cache: answer.cached ? 'hit' : 'miss' });
      if (!answer.cached) generation.observe(answer.ms / 1000);
      return reply.type('application/vnd.mapbox-vector-tile').send(Buffer.from(answer.data.buffer, answer.data.byteOffset, answer.data.byteLength));
    },
  );
};
