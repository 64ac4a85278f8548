/** GET /nearest/v1/{profile}/{coordinate}: OSRM's nearest service (the closest routable road). */
import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.js';
import { requireMap, withMap } from '../context.js';
import { ApiError, errorSchema } from '../errors.js';
import { osrmParamsSchema, parseOsrmCoordinates, parseRadiuses } from '../osrm-params.js';

export const osrmNearestPlugin: FastifyPluginAsync<{ ctx: ServerContext }> = async (app, { ctx }) => {
  app.get<{ Params: { profile: string; coordinates: string }; Querystring: { number?: number; radiuses?: string } }>(
    '/nearest/v1/:profile/:coordinates',
    {
      schema: {
        summary: 'OSRM-compatible nearest road',
        description: 'Snaps one coordinate to the nearest routable road. `number` is accepted; one waypoint is returned.',
        tags: ['osrm'],
        params: osrmParamsSchema,
        querystring: {
          type: 'object',
          properties: { number: { type: 'integer', minimum: 1, default: 1 }, radiuses: { type: 'string' } },
        },
        response: { '4xx': errorSchema, '5xx': errorSchema },
      },
    },
    async (request, reply) => {
      const { profile, coordinates } = request.params;
      requireMap(ctx, profile); // unknown profile: 400 before parsing the rest
      const coords = parseOsrmCoordinates(coordinates, 1);
      if (coords.length !== 1) throw new ApiError(400, 'InvalidQuery', 'nearest takes exactly one coordinate');
      const radius = parseRadiuses(request.query.radiuses, 1, ctx.config.maxRadius)?.[0] ?? Infinity;
      const json = await withMap(ctx, profile, reply, (ref) => ctx.pool.run({ kind: 'nearest', map: ref, coordinate: coords[0], radius, osrm: true }));
      return reply.type('application/json').send(json);
    },
  );
};
