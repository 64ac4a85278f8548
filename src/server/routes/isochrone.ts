/** POST /isochrone: the area reachable from (or reaching) a point within time or distance limits. */
import type { FastifyPluginAsync } from 'fastify';
import type { IsochroneRequest } from '../../routing/isochrone.js';
import type { ServerContext } from '../context.js';
import { withMap } from '../context.js';
import { ApiError, errorSchema } from '../errors.js';
import { lonLatSchema, profileSchema } from '../schemas.js';

type Body = IsochroneRequest & { profile?: string };

export const isochronePlugin: FastifyPluginAsync<{ ctx: ServerContext }> = async (app, { ctx }) => {
  app.post<{ Body: Body }>(
    '/isochrone',
    {
      schema: {
        summary: 'Isochrones: where one gets within time or distance limits (one PHAST run)',
        description:
          'Exactly one of `contours_minutes` or `contours_meters` (distance along the fastest paths). A GeoJSON FeatureCollection with one feature per contour, in the order given: MultiPolygons (a union of H3 cells over the reached roads, cut partway along a road at the limit, holes where no reached road passes), or with `polygons: false` the reached road network as MultiLineStrings. `direction: "reverse"` gives where one can start from to reach the location within the limit.',
        tags: ['routing'],
        body: {
          type: 'object',
          required: ['location'],
          additionalProperties: false,
          properties: {
            location: lonLatSchema,
            contours_minutes: { type: 'array', items: { type: 'number', exclusiveMinimum: 0, maximum: 240 }, minItems: 1, maxItems: 8 },
            contours_meters: { type: 'array', items: { type: 'number', exclusiveMinimum: 0, maximum: 500_000 }, minItems: 1, maxItems: 8 },
            direction: { enum: ['forward', 'reverse'], default: 'forward' },
            polygons: { type: 'boolean', default: true, description: 'false: the reached road network as MultiLineStrings' },
            generalize: { type: 'number', minimum: 0, maximum: 10_000, default: 0, description: 'Douglas-Peucker tolerance in metres for polygon outlines or lines (0: none)' },
            resolution: { type: 'integer', minimum: 7, maximum: 12, description: 'H3 resolution of the polygon cells (default 10, ~66 m edges, up to 15 min / 10 km; 9, ~174 m, beyond); polygons only' },
            radius: { type: 'number', exclusiveMinimum: 0, maximum: ctx.config.maxRadius, default: 1000, description: 'snapping radius in metres' },
            profile: profileSchema,
          },
          examples: [{ location: [7.4197, 43.7314], contours_minutes: [2, 5], direction: 'forward' }],
        },
        response: {
          200: { type: 'object', description: 'GeoJSON FeatureCollection; `waypoint` is where the location snapped to', additionalProperties: true },
          '4xx': errorSchema,
          '5xx': errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { profile, ...iso } = request.body;
      if ((iso.contours_minutes === undefined) === (iso.contours_meters === undefined)) {
        throw new ApiError(400, 'InvalidValue', 'give exactly one of contours_minutes or contours_meters');
      }
      if (iso.polygons === false && iso.resolution !== undefined) {
        throw new ApiError(400, 'InvalidValue', 'resolution applies to polygons only (polygons: false returns road linestrings)');
      }
      const json = await withMap(ctx, profile, reply, (map) => ctx.pool.run({ kind: 'isochrone', map, request: iso }));
      return reply.type('application/json').send(json);
    },
  );
};
