/** GET /nearest/v1/{profile}/{coordinate}: OSRM's nearest service (the closest routable road). */
import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.js';
import { requireMap, withMap } from '../context.js';
import { ApiError, errorSchema } from '../errors.js';
import { generalOptionProperties, parseGeneralOptions, type GeneralOptionsQuery } from '../osrm-options.js';
import { osrmParamsSchema, parseOsrmCoordinates, parseRadiuses } from '../osrm-params.js';

/** Most roads one nearest request may ask for (osrm-routed's default --max-nearest-size). */
const maxNearest = 100;

export const osrmNearestPlugin: FastifyPluginAsync<{ ctx: ServerContext }> = async (app, { ctx }) => {
  app.get<{ Params: { profile: string; coordinates: string }; Querystring: GeneralOptionsQuery & { number?: number; radiuses?: string } }>(
    '/nearest/v1/:profile/:coordinates',
    {
      schema: {
        summary: 'OSRM-compatible nearest road',
        description: 'Snaps one coordinate to the `number` nearest distinct routable roads, nearest first.',
        tags: ['osrm'],
        params: osrmParamsSchema,
        querystring: {
          type: 'object',
          properties: { number: { type: 'integer', minimum: 1, default: 1 }, radiuses: { type: 'string' }, ...generalOptionProperties },
        },
        response: { '4xx': errorSchema, '5xx': errorSchema },
      },
    },
    async (request, reply) => {
      const { profile, coordinates } = request.params;
      requireMap(ctx, profile); // unknown profile: 400 before parsing the rest
      const coords = parseOsrmCoordinates(coordinates, 1);
      if (coords.length !== 1) throw new ApiError(400, 'InvalidQuery', 'nearest takes exactly one coordinate');
      const general = parseGeneralOptions(request.query, 1);
      if (general.skipWaypoints) throw new ApiError(400, 'InvalidOptions', 'skip_waypoints would leave a nearest answer empty');
      const number = request.query.number ?? 1;
      if (number > maxNearest) throw new ApiError(400, 'TooBig', `number ${number} exceeds the limit of ${maxNearest}`);
      const radius = parseRadiuses(request.query.radiuses, 1, ctx.config.maxRadius)?.[0] ?? Infinity;
      const json = await withMap(ctx, profile, reply, (ref) => ctx.pool.run({
        kind: 'nearest',
        map: ref,
        coordinate: coords[0],
        radius,
        osrm: true,
        number,
        allowIsolated: general.allowIsolated,
        generateHints: general.generateHints,
        ...(general.hints ? { hint: general.hints[0] } : {}),
        ...(general.bearings ? { bearing: [general.bearings[0], general.bearings[1]] as [number, number] } : {}),
        ...(general.approaches ? { approach: general.approaches[0] } : {}),
        ...(general.exclude ? { metric: { exclude: general.exclude } } : {}),
      }));
      return reply.type('application/json').send(json);
    },
  );
};
