/**
 * POST /admin/reload: load new map files beside the old ones and swap them in. Protected by the
 * token in WAYMARK_ADMIN_TOKEN (Authorization: Bearer <token>); without a token configured the
 * endpoint does not exist.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { WaymarkServer } from '../app.js';
import type { ServerContext } from '../context.js';
import { ApiError, errorSchema } from '../errors.js';

export const adminPlugin: FastifyPluginAsync<{ ctx: ServerContext; server: WaymarkServer }> = async (app, { ctx, server }) => {
  const token = ctx.config.adminToken;
  if (!token) return;
  app.post<{ Body: { profiles?: string[] } | undefined }>(
    '/admin/reload',
    {
      schema: {
        summary: 'Reload map files and swap them in without downtime',
        description: 'Needs `Authorization: Bearer <WAYMARK_ADMIN_TOKEN>`. A map that fails validation or its self-test is refused; the old one keeps serving.',
        tags: ['operations'],
        body: { type: ['object', 'null'], properties: { profiles: { type: 'array', items: { type: 'string' } } } },
        response: { '4xx': errorSchema, '5xx': errorSchema },
      },
    },
    async (request) => {
      const given = Buffer.from((request.headers.authorization ?? '').replace(/^Bearer /, ''));
      const expected = Buffer.from(token);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new ApiError(401, 'Unauthorized', 'a valid admin token is required');
      return { results: await server.reload(request.body?.profiles) };
    },
  );
};
