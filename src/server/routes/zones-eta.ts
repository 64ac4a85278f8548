/** POST /zones/eta: travel time from every H3 cell to one point (a pickup ETA heat map). */
import type { FastifyPluginAsync } from 'fastify';
import type { LonLat } from '../../routing/route.js';
import type { ZoneArea, ZoneStatistic } from '../../zones/zones.js';
import type { ServerContext } from '../context.js';
import { withMap } from '../context.js';
import { errorSchema } from '../errors.js';
import { lonLatSchema, profileSchema } from '../schemas.js';
import { maxZoneCells, zoneAreaOf, zoneAreaProperties } from './zone-schemas.js';

type Body = ZoneArea & { location: LonLat; statistic?: ZoneStatistic; samples?: number; radius?: number; profile?: string };

export const zonesEtaPlugin: FastifyPluginAsync<{ ctx: ServerContext }> = async (app, { ctx }) => {
  app.post<{ Body: Body }>(
    '/zones/eta',
    {
      schema: {
        summary: 'Travel time from each H3 cell to a point (one reverse PHAST)',
        description:
          'Exactly one of `cells`, `bbox` or `polygon`. Per cell with roads: `duration` (the statistic in seconds over its representative road points; null when none reaches the point), `count` (points with a path) and `samples`; `roadless` lists cells with no road.',
        tags: ['routing'],
        body: {
          type: 'object',
          required: ['resolution', 'location'],
          additionalProperties: false,
          properties: {
            ...zoneAreaProperties,
            location: lonLatSchema,
            radius: { type: 'number', exclusiveMinimum: 0, maximum: ctx.config.maxRadius, default: 1000, description: 'snapping radius of the location (m)' },
            profile: profileSchema,
          },
          examples: [{ resolution: 9, bbox: [7.41, 43.725, 7.44, 43.75], location: [7.4197, 43.7314] }],
        },
        response: { 200: { type: 'object', additionalProperties: true }, '4xx': errorSchema, '5xx': errorSchema },
      },
    },
    async (request, reply) => {
      const { profile, statistic, samples, location, radius, ...rest } = request.body;
      const area = zoneAreaOf(rest);
      const options = { maxCells: maxZoneCells, maxAnswerBytes: ctx.config.maxAnswerBytes, ...(statistic ? { statistic } : {}), ...(samples ? { samples } : {}), ...(radius ? { radius } : {}) };
      const json = await withMap(ctx, profile, reply, (map) => ctx.pool.run({ kind: 'zones-eta', map, area, location, options, maxBytes: ctx.config.maxAnswerBytes }));
      return reply.type('application/json').send(json);
    },
  );
};
