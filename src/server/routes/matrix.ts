/** POST /matrix: sources x destinations (destinations default to sources), or sparse pairs. */
import type { FastifyPluginAsync } from 'fastify';
import type { Annotation } from '../../routing/matrix.js';
import type { LonLat } from '../../routing/route.js';
import type { ServerContext } from '../context.js';
import { withMap } from '../context.js';
import { estimatedAnswerBytes, estimatedPairsAnswerBytes } from '../../routing/matrix.js';
import { ApiError, errorSchema } from '../errors.js';
import { customModelSchema, excludeSchema, metricRequestOf } from '../metric-options.js';
import { coordinateListSchema, profileSchema, radiusSchema, radiusValue } from '../schemas.js';

interface Body {
  sources?: LonLat[];
  destinations?: LonLat[];
  locations?: LonLat[];
  pairs?: [number, number][];
  annotations?: Annotation[];
  radius?: number | 'unlimited';
  profile?: string;
  exclude?: string[];
  custom_model?: unknown;
}

export const matrixPlugin: FastifyPluginAsync<{ ctx: ServerContext }> = async (app, { ctx }) => {
  const max = ctx.config.maxMatrixCoordinates;
  app.post<{ Body: Body }>(
    '/matrix',
    {
      schema: {
        summary: 'Travel times and distances between many points',
        description:
          'Either `sources` (and optionally `destinations`, default: the sources) for a full matrix, or `locations` with `pairs` of [source, destination] indices for just those cells. Durations in seconds, distances in metres, null where unreachable.',
        tags: ['routing'],
        body: {
          type: 'object',
          properties: {
            sources: coordinateListSchema(1, max, 'origins'),
            destinations: coordinateListSchema(1, max, 'targets (default: the sources)'),
            locations: coordinateListSchema(1, max, 'points referred to by pairs'),
            pairs: {
              type: 'array',
              items: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 2, maxItems: 2 },
              description: '[source index, destination index] into locations',
            },
            annotations: { type: 'array', items: { enum: ['duration', 'distance'] }, minItems: 1, default: ['duration', 'distance'] },
            radius: radiusSchema(ctx.config.maxRadius),
            profile: profileSchema,
            exclude: excludeSchema,
            custom_model: customModelSchema,
          },
          additionalProperties: true,
          examples: [{ sources: [[7.4197, 43.7314], [7.4265, 43.739]], annotations: ['duration', 'distance'] }],
        },
        response: { '4xx': errorSchema, '5xx': errorSchema },
      },
    },
    async (request, reply) => {
      const { profile, sources, destinations, locations, pairs, annotations } = request.body;
      const radius = radiusValue(request.body.radius);
      const metric = metricRequestOf(request.body.exclude, request.body.custom_model);
      const withMetric = metric ? { metric } : {};
      let json: string | Buffer;
      if (locations !== undefined || pairs !== undefined) {
        if (!locations || !pairs) throw new ApiError(400, 'InvalidValue', 'sparse requests need both locations and pairs');
        if (sources || destinations) throw new ApiError(400, 'InvalidValue', 'give either sources/destinations or locations/pairs, not both');
        if (pairs.length > ctx.config.maxMatrixCells) throw new ApiError(400, 'TooBig', `${pairs.length} pairs exceed the limit of ${ctx.config.maxMatrixCells}`);
        pairs.forEach(([a, b], i) => {
          if (a >= locations.length || b >= locations.length) throw new ApiError(400, 'InvalidValue', `pairs[${i}] refers to a location that does not exist`);
        });
        const bytes = estimatedPairsAnswerBytes(locations.length, pairs.length, annotations?.length ?? 2);
        if (bytes > ctx.config.maxAnswerBytes) throw new ApiError(400, 'TooBig', `${pairs.length} pairs would answer about ${bytes} bytes, over the limit of ${ctx.config.maxAnswerBytes}`);
        json = await withMap(ctx, profile, reply, (map) =>
          ctx.pool.run({ kind: 'pairs', map, request: { locations, pairs, annotations, radius, maxCells: ctx.config.maxMatrixCells }, maxBytes: ctx.config.maxAnswerBytes, ...withMetric }),
        );
      } else {
        if (!sources) throw new ApiError(400, 'InvalidValue', 'give sources (and optionally destinations), or locations and pairs');
        const cells = sources.length * (destinations ?? sources).length;
        if (cells > ctx.config.maxMatrixCells) throw new ApiError(400, 'TooBig', `a matrix of ${cells} cells exceeds the limit of ${ctx.config.maxMatrixCells}`);
        const bytes = estimatedAnswerBytes(sources.length, (destinations ?? sources).length, annotations?.length ?? 2);
        if (bytes > ctx.config.maxAnswerBytes) throw new ApiError(400, 'TooBig', `the matrix would answer about ${bytes} bytes, over the limit of ${ctx.config.maxAnswerBytes}`);
        json = await withMap(ctx, profile, reply, (map) =>
          ctx.pool.run({ kind: 'matrix', map, request: { sources, destinations, annotations, radius, maxCells: ctx.config.maxMatrixCells, maxBytes: ctx.config.maxAnswerBytes }, maxBytes: ctx.config.maxAnswerBytes, ...withMetric }),
        );
      }
      return reply.type('application/json').send(json);
    },
  );
};
