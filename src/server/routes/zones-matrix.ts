/** POST /zones/matrix: H3 cell-to-cell travel times (statistic over representative road points). */
import type { FastifyPluginAsync } from 'fastify';
import type { ZoneArea, ZoneStatistic } from '../../zones/zones.js';
import type { ServerContext } from '../context.js';
import { withMap } from '../context.js';
import { errorSchema } from '../errors.js';
import { profileSchema } from '../schemas.js';
import { maxZoneCells, zoneAreaOf, zoneAreaProperties } from './zone-schemas.js';

type Body = ZoneArea & { statistic?: ZoneStatistic; samples?: number; profile?: string };

export const zonesMatrixPlugin: FastifyPluginAsync<{ ctx: ServerContext }> = async (app, { ctx }) => {
  app.post<{ Body: Body }>(
    '/zones/matrix',
    {
      schema: {
        summary: 'Travel-time matrix between H3 cells',
        description:
          'Exactly one of `cells`, `bbox` or `polygon`. Answers the `waymark-zones/1` format (README): `cells` (rows and columns, cells with roads), `points` (their representative road points), `roadless` (cells with no road: no row), `durations[i][j]` (the statistic in seconds over sample pairs; null: no pair has a path) and `counts[i][j]` (sample pairs with a path).',
        tags: ['routing'],
        body: {
          type: 'object',
          required: ['resolution'],
          additionalProperties: false,
          properties: { ...zoneAreaProperties, profile: profileSchema },
          examples: [{ resolution: 8, bbox: [7.41, 43.725, 7.44, 43.75], statistic: 'median' }],
        },
        response: { 200: { type: 'object', additionalProperties: true }, '4xx': errorSchema, '5xx': errorSchema },
      },
    },
    async (request, reply) => {
      const { profile, statistic, samples, ...rest } = request.body;
      const area = zoneAreaOf(rest);
      const options = { maxCells: maxZoneCells, maxMatrixCells: ctx.config.maxMatrixCells, maxAnswerBytes: ctx.config.maxAnswerBytes, ...(statistic ? { statistic } : {}), ...(samples ? { samples } : {}) };
      const json = await withMap(ctx, profile, reply, (map) => ctx.pool.run({ kind: 'zones-matrix', map, area, options, maxBytes: ctx.config.maxAnswerBytes }));
      return reply.type('application/json').send(json);
    },
  );
};
