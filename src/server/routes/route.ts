/** POST /route: our JSON route API. Coordinates are always [lon, lat]. */
import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.js';
import { withMap } from '../context.js';
import { ApiError, errorSchema } from '../errors.js';
import { routeQuery } from '../inline-queries.js';
import { ALTERNATIVES_TWO_POINTS, maxAlternatives } from '../osrm-options.js';
import { customModelSchema, excludeSchema, metricRequestOf } from '../metric-options.js';
import { coordinateListSchema, profileSchema, radiusSchema, radiusValue, waypointSchema } from '../schemas.js';
import type { GeometryFormat, LonLat } from '../../routing/route.js';

interface Body {
  coordinates: LonLat[];
  geometry?: GeometryFormat;
  radius?: number | 'unlimited';
  profile?: string;
  steps?: boolean;
  alternatives?: number;
  annotations?: ('duration' | 'distance' | 'speed' | 'nodes')[];
  exclude?: string[];
  custom_model?: unknown;
}

export const routePlugin: FastifyPluginAsync<{ ctx: ServerContext }> = async (app, { ctx }) => {
  app.post<{ Body: Body }>(
    '/route',
    {
      schema: {
        summary: 'Fastest route through two or more waypoints',
        tags: ['routing'],
        body: {
          type: 'object',
          required: ['coordinates'],
          properties: {
            coordinates: coordinateListSchema(2, ctx.config.maxRouteCoordinates, 'waypoints in order'),
            geometry: { enum: ['geojson', 'polyline', 'polyline6', false], default: 'geojson', description: 'geometry format, or false for none' },
            radius: radiusSchema(ctx.config.maxRadius),
            profile: profileSchema,
            steps: { type: 'boolean', default: false, description: 'turn-by-turn steps per leg, each with its English instruction' },
            alternatives: { type: 'integer', minimum: 0, maximum: maxAlternatives, default: 0, description: 'alternative routes wanted besides the best (two coordinates only)' },
            annotations: {
              type: 'array',
              items: { enum: ['duration', 'distance', 'speed', 'nodes'] },
              uniqueItems: true,
              description: 'per coordinate pair of each leg: seconds, metres, metres per second; nodes: the OSM node id of every coordinate of the leg',
            },
            exclude: excludeSchema,
            custom_model: customModelSchema,
          },
          examples: [{ coordinates: [[7.4197, 43.7314], [7.4265, 43.739]], geometry: 'geojson' }],
        },
        response: {
          200: {
            type: 'object',
            description: 'duration in seconds, distance in metres',
            properties: {
              duration: { type: 'number' },
              distance: { type: 'number' },
              weight: { type: 'number', description: 'what the route minimised: seconds, or the custom model\'s weight' },
              geometry: {},
              legs: { type: 'array', items: { type: 'object', additionalProperties: true } },
              waypoints: { type: 'array', items: waypointSchema },
              alternatives: { type: 'array', items: { type: 'object', additionalProperties: true } },
            },
          },
          '4xx': errorSchema,
          '5xx': errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { profile, radius, exclude, custom_model: customModel, ...rest } = request.body;
      const routeRequest = { ...rest, radius: radiusValue(radius) };
      const metric = metricRequestOf(exclude, customModel);
      if ((routeRequest.alternatives ?? 0) > 0 && routeRequest.coordinates.length !== 2) {
        throw new ApiError(400, 'NotImplemented', ALTERNATIVES_TWO_POINTS);
      }
      const json = await withMap(ctx, profile, reply, (ref, map) => routeQuery(ctx, map, ref, routeRequest, metric));
      return reply.type('application/json').send(json);
    },
  );
};
