/** GET /route/v1/{profile}/{coordinates}: OSRM's route service, same answer shape and codes. */
import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.js';
import { requireMap, withMap } from '../context.js';
import { errorSchema } from '../errors.js';
import { osrmRouteQuery } from '../inline-queries.js';
import { generalOptionProperties, parseGeneralOptions, parseRouteOptions, routeOptionProperties, type GeneralOptionsQuery, type RouteOptionsQuery } from '../osrm-options.js';
import { osrmParamsSchema, parseOsrmCoordinates, parseRadiuses } from '../osrm-params.js';

interface Query extends GeneralOptionsQuery, RouteOptionsQuery {
  overview?: 'full' | 'simplified' | 'false';
  geometries?: 'polyline' | 'polyline6' | 'geojson';
  radiuses?: string;
}

/** What this service implements of OSRM's route options (the rest is refused with NotImplemented). */
export const osrmRouteCapabilities = { steps: true, annotations: ['duration', 'distance', 'speed', 'weight', 'nodes', 'datasource'] } as const;

export const osrmRoutePlugin: FastifyPluginAsync<{ ctx: ServerContext }> = async (app, { ctx }) => {
  app.get<{ Params: { profile: string; coordinates: string }; Querystring: Query }>(
    '/route/v1/:profile/:coordinates',
    {
      schema: {
        summary: 'OSRM-compatible route',
        description: 'Drop-in for OSRM /route/v1. Every documented OSRM option is honoured or refused with 400 (InvalidOptions for a bad value, NotImplemented for a feature not offered).',
        tags: ['osrm'],
        params: osrmParamsSchema,
        querystring: {
          type: 'object',
          properties: {
            overview: { enum: ['full', 'simplified', 'false'], default: 'simplified' },
            geometries: { enum: ['polyline', 'polyline6', 'geojson'], default: 'polyline' },
            ...routeOptionProperties,
            ...generalOptionProperties,
            radiuses: { type: 'string', description: 'metres per coordinate, ; separated (empty or unlimited allowed)' },
          },
        },
        response: { '4xx': errorSchema, '5xx': errorSchema },
      },
    },
    async (request, reply) => {
      const { profile, coordinates } = request.params;
      requireMap(ctx, profile); // unknown profile: 400 before parsing the rest
      const coords = parseOsrmCoordinates(coordinates, ctx.config.maxRouteCoordinates);
      if (coords.length < 2) return reply.code(400).send({ code: 'InvalidQuery', message: 'a route needs at least two coordinates' });
      const q = request.query;
      const radiuses = parseRadiuses(q.radiuses, coords.length, ctx.config.maxRadius);
      const general = parseGeneralOptions(q, coords.length);
      const route = parseRouteOptions(q, coords.length, osrmRouteCapabilities);
      const routeRequest = { coordinates: coords, ...(radiuses ? { radiuses } : {}), ...(general.allowIsolated ? { allowIsolated: true } : {}), ...(general.hints ? { hints: general.hints } : {}), ...(general.bearings ? { bearings: general.bearings } : {}), ...(general.approaches ? { approaches: general.approaches } : {}), ...(route.continueStraight ? { continueStraight: true } : {}) };
      const options = { overview: q.overview ?? 'simplified', geometries: q.geometries ?? 'polyline', ...route, generateHints: general.generateHints, skipWaypoints: general.skipWaypoints };
      const json = await withMap(ctx, profile, reply, (ref, map) => osrmRouteQuery(ctx, map, ref, routeRequest, options, general.exclude ? { exclude: general.exclude } : undefined));
      return reply.type('application/json').send(json);
    },
  );
};
