/** POST /reach: which origins (drivers) reach one target within a time limit, fastest first. */
import type { FastifyPluginAsync } from 'fastify';
import type { ReachRequest } from '../../routing/reach.js';
import type { ServerContext } from '../context.js';
import { withMap } from '../context.js';
import { errorSchema } from '../errors.js';
import { coordinateListSchema, lonLatSchema, profileSchema } from '../schemas.js';

type Body = ReachRequest & { profile?: string };

export const reachPlugin: FastifyPluginAsync<{ ctx: ServerContext }> = async (app, { ctx }) => {
  app.post<{ Body: Body }>(
    '/reach',
    {
      schema: {
        summary: 'Which origins reach a target within a time limit (one reverse PHAST)',
        description:
          '`reached`: origins within `max_minutes`, fastest first, with seconds and metres; `not_reached`: indices of origins beyond the limit or with no path; `unsnapped`: indices of origins with no road within `origin_radius`.',
        tags: ['routing'],
        body: {
          type: 'object',
          required: ['target', 'origins', 'max_minutes'],
          additionalProperties: false,
          properties: {
            target: lonLatSchema,
            origins: coordinateListSchema(1, ctx.config.maxMatrixCoordinates * 10, 'candidate origins (drivers)'),
            max_minutes: { type: 'number', exclusiveMinimum: 0, maximum: 1440 },
            radius: { type: 'number', exclusiveMinimum: 0, maximum: ctx.config.maxRadius, default: 1000, description: 'snapping radius of the target (m)' },
            origin_radius: { type: 'number', exclusiveMinimum: 0, maximum: ctx.config.maxRadius, default: 1000, description: 'snapping radius of the origins (m)' },
            profile: profileSchema,
          },
          examples: [{ target: [7.4197, 43.7314], origins: [[7.4265, 43.739], [7.4163, 43.7334]], max_minutes: 8 }],
        },
        response: {
          200: {
            type: 'object',
            properties: {
              target: { type: 'object', additionalProperties: true },
              reached: { type: 'array', items: { type: 'object', properties: { index: { type: 'integer' }, duration: { type: 'number' }, distance: { type: 'number' } } } },
              not_reached: { type: 'array', items: { type: 'integer' } },
              unsnapped: { type: 'array', items: { type: 'integer' } },
            },
          },
          '4xx': errorSchema,
          '5xx': errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { profile, ...reach } = request.body;
      const json = await withMap(ctx, profile, reply, (map) => ctx.pool.run({ kind: 'reach', map, request: reach }));
      return reply.type('application/json').send(json);
    },
  );
};
