/**
 * GET /trip/v1/{profile}/{coordinates}: OSRM's trip service (the best order to visit the points):
 * exact up to 12 points, the VRP solver under a time budget beyond (src/routing/trip.ts).
 */
import type { FastifyPluginAsync } from 'fastify';
import { parseExclude } from '../osrm-options.js';
import type { ServerContext } from '../context.js';
import { requireMap, withMap } from '../context.js';
import { ApiError, errorSchema } from '../errors.js';
import { osrmParamsSchema, parseOsrmCoordinates, parseRadiuses } from '../osrm-params.js';

interface Query {
  roundtrip?: boolean;
  source?: 'any' | 'first';
  destination?: 'any' | 'last';
  overview?: 'full' | 'simplified' | 'false';
  geometries?: 'polyline' | 'polyline6' | 'geojson';
  steps?: boolean;
  annotations?: string;
  radiuses?: string;
  generate_hints?: boolean;
  exclude?: string;
}

const QUERY_KEYS = ['roundtrip', 'source', 'destination', 'overview', 'geometries', 'steps', 'annotations', 'radiuses', 'generate_hints', 'exclude'];

export const osrmTripPlugin: FastifyPluginAsync<{ ctx: ServerContext }> = async (app, { ctx }) => {
  app.get<{ Params: { profile: string; coordinates: string }; Querystring: Query }>(
    '/trip/v1/:profile/:coordinates',
    {
      schema: {
        summary: 'OSRM-compatible trip (travelling salesman)',
        description:
          'The fastest order to visit the points. roundtrip=false needs source=first and/or destination=last. Exact up to 12 points; beyond, ' +
          'the VRP solver searches under a time budget (`--trip-time-limit`, default 1 s). `steps=true` gives every leg turn-by-turn steps as /route does; annotations are refused (not implemented).',
        tags: ['osrm'],
        params: osrmParamsSchema,
        querystring: {
          type: 'object',
          properties: {
            roundtrip: { type: 'boolean', default: true },
            source: { enum: ['any', 'first'], default: 'any' },
            destination: { enum: ['any', 'last'], default: 'any' },
            overview: { enum: ['full', 'simplified', 'false'], default: 'simplified' },
            geometries: { enum: ['polyline', 'polyline6', 'geojson'], default: 'polyline' },
            steps: { type: 'boolean', default: false },
            annotations: { type: 'string', default: 'false' },
            radiuses: { type: 'string', description: 'snapping radius (m) per coordinate, ; separated (empty or unlimited allowed)' },
            generate_hints: { type: 'boolean', default: true },
            exclude: { type: 'string', description: 'road classes to avoid, comma separated: motorway, toll, ferry, unpaved' },
          },
        },
        response: { '4xx': errorSchema, '5xx': errorSchema },
      },
    },
    async (request, reply) => {
      const { profile, coordinates } = request.params;
      requireMap(ctx, profile);
      const q = request.query;
      for (const key of Object.keys(q)) {
        if (!QUERY_KEYS.includes(key)) throw new ApiError(400, 'InvalidOptions', `parameter '${key}' is not supported by the trip service (supported: ${QUERY_KEYS.join(', ')})`);
      }
      if (q.annotations !== undefined && q.annotations !== 'false') throw new ApiError(400, 'NotImplemented', 'trip annotations are not available; use annotations=false');
      const coords = parseOsrmCoordinates(coordinates, ctx.config.maxTripCoordinates);
      if (coords.length < 2) throw new ApiError(400, 'InvalidQuery', 'a trip needs at least two coordinates');
      const roundtrip = q.roundtrip ?? true;
      const source = q.source ?? 'any';
      const destination = q.destination ?? 'any';
      if (!roundtrip && source === 'any' && destination === 'any') {
        throw new ApiError(400, 'NotImplemented', 'a trip with roundtrip=false needs source=first and/or destination=last');
      }
      const radiuses = parseRadiuses(q.radiuses, coords.length, ctx.config.maxRadius);
      const exclude = parseExclude(q.exclude);
      const json = await withMap(ctx, profile, reply, (map) => ctx.pool.run({
        kind: 'osrm-trip',
        map,
        request: {
          coordinates: coords,
          roundtrip,
          source,
          destination,
          overview: q.overview ?? 'simplified',
          geometries: q.geometries ?? 'polyline',
          timeLimit: ctx.config.tripTimeLimit,
          generateHints: q.generate_hints ?? true,
          steps: q.steps ?? false,
          ...(radiuses ? { radiuses } : {}),
        },
        ...(exclude ? { metric: { exclude } } : {}),
      }));
      return reply.type('application/json').send(json);
    },
  );
};
