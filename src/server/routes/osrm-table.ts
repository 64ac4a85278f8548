/** GET /table/v1/{profile}/{coordinates}: OSRM's table service (VROOM's matrix source). */
import type { FastifyPluginAsync } from 'fastify';
import { distinctOrder, estimatedAnswerBytes, type Annotation } from '../../routing/matrix.js';
import type { ServerContext } from '../context.js';
import { requireMap, withMap } from '../context.js';
import { ApiError, errorSchema } from '../errors.js';
import { generalOptionProperties, parseGeneralOptions, parseTableOptions, tableOptionProperties, type GeneralOptionsQuery, type TableOptionsQuery } from '../osrm-options.js';
import { osrmParamsSchema, parseIndexList, parseOsrmCoordinates, parseRadiuses } from '../osrm-params.js';

interface Query extends GeneralOptionsQuery, TableOptionsQuery {
  sources?: string;
  destinations?: string;
  annotations?: string;
  radiuses?: string;
}

export const osrmTablePlugin: FastifyPluginAsync<{ ctx: ServerContext }> = async (app, { ctx }) => {
  app.get<{ Params: { profile: string; coordinates: string }; Querystring: Query }>(
    '/table/v1/:profile/:coordinates',
    {
      schema: {
        summary: 'OSRM-compatible table (matrix)',
        tags: ['osrm'],
        params: osrmParamsSchema,
        querystring: {
          type: 'object',
          properties: {
            sources: { type: 'string', description: 'indices (; separated) or all' },
            destinations: { type: 'string', description: 'indices (; separated) or all' },
            annotations: { type: 'string', description: 'duration, distance or duration,distance', default: 'duration' },
            radiuses: { type: 'string' },
            ...tableOptionProperties,
            ...generalOptionProperties,
          },
        },
        response: { '4xx': errorSchema, '5xx': errorSchema },
      },
    },
    async (request, reply) => {
      const { profile, coordinates } = request.params;
      requireMap(ctx, profile); // unknown profile: 400 before parsing the rest
      const coords = parseOsrmCoordinates(coordinates, ctx.config.maxMatrixCoordinates);
      const q = request.query;
      const src = parseIndexList(q.sources, coords.length, 'sources');
      const dst = parseIndexList(q.destinations, coords.length, 'destinations');
      const annotations = (q.annotations ?? 'duration').split(',') as Annotation[];
      if (!annotations.every((a) => a === 'duration' || a === 'distance')) {
        throw new ApiError(400, 'InvalidValue', `annotations must be duration and/or distance, not '${q.annotations}'`);
      }
      // Each point snaps with its own radius (unlimited by default, as OSRM); NoSegment messages name
      // the URL's coordinate index.
      const general = parseGeneralOptions(q, coords.length);
      const { scaleFactor, fallback } = parseTableOptions(q, annotations);
      const radiuses = parseRadiuses(q.radiuses, coords.length, ctx.config.maxRadius);
      const rows = src ?? coords.map((_, i) => i);
      const cols = dst ?? coords.map((_, i) => i);
      const square = !src && !dst;
      if (rows.length * cols.length > ctx.config.maxMatrixCells) {
        throw new ApiError(400, 'TooBig', `a table of ${rows.length * cols.length} cells exceeds the limit of ${ctx.config.maxMatrixCells}`);
      }
      const bytes = estimatedAnswerBytes(rows.length, cols.length, annotations.length);
      if (bytes > ctx.config.maxAnswerBytes) {
        throw new ApiError(400, 'TooBig', `a ${rows.length} x ${cols.length} table would answer about ${bytes} bytes, over the limit of ${ctx.config.maxAnswerBytes}`);
      }
      // Repeated indices are computed once; the answer repeats their rows and columns.
      const s = distinctOrder(rows);
      const d = distinctOrder(cols);
      const repeats = s.distinct.length < rows.length || d.distinct.length < cols.length;
      // The snapped points' coordinate indices (sources, then destinations unless square).
      const numbers = square ? s.distinct : [...s.distinct, ...d.distinct];
      const json = await withMap(ctx, profile, reply, (map) => ctx.pool.run({
        kind: 'osrm-table',
        map,
        request: {
          sources: s.distinct.map((i) => coords[i]),
          ...(square ? {} : { destinations: d.distinct.map((i) => coords[i]) }),
          annotations,
          maxCells: ctx.config.maxMatrixCells,
          maxBytes: ctx.config.maxAnswerBytes,
          coordinateNumbers: numbers,
          ...(radiuses ? { radiuses: numbers.map((i) => radiuses[i]) } : {}),
          ...(scaleFactor !== 1 ? { durationScale: scaleFactor } : {}),
          ...(fallback ? { fallback } : {}),
          ...(general.allowIsolated ? { allowIsolated: true } : {}),
          ...(general.hints ? { hints: numbers.map((i) => general.hints![i]) } : {}),
          ...(general.bearings ? { bearings: Float64Array.from(numbers.flatMap((i) => [general.bearings![2 * i], general.bearings![2 * i + 1]])) } : {}),
          ...(general.approaches ? { approaches: Float64Array.from(numbers, (i) => general.approaches![i]) } : {}),
          snapDetails: general.generateHints,
          ...(repeats ? { sourceOrder: s.order, destinationOrder: d.order } : {}),
        },
        generateHints: general.generateHints,
        skipWaypoints: general.skipWaypoints,
        ...(general.exclude ? { metric: { exclude: general.exclude } } : {}),
      }));
      return reply.type('application/json').send(json);
    },
  );
};
