/** Health probes, Prometheus metrics and map info. */
import type { FastifyPluginAsync } from 'fastify';
import { trafficInfo } from '../traffic.js';
import type { ServerContext } from '../context.js';
import { errorSchema } from '../errors.js';

export const opsPlugin: FastifyPluginAsync<{ ctx: ServerContext }> = async (app, { ctx }) => {
  app.get('/health/live', { schema: { summary: 'Liveness: the process answers', tags: ['operations'] } }, async () => ({ status: 'ok' }));

  app.get(
    '/health/ready',
    {
      schema: {
        summary: 'Readiness: every map is loaded and passed its self-test query',
        tags: ['operations'],
        response: { 200: { type: 'object', properties: { status: { type: 'string' }, maps: { type: 'array', items: { type: 'string' } } } }, 503: errorSchema },
      },
    },
    async (_request, reply) => {
      if (!ctx.ready) return reply.code(503).header('retry-after', '1').send({ code: 'NotReady', message: 'maps are still loading' });
      return { status: 'ready', maps: [...ctx.maps.keys()] };
    },
  );

  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['operations'] } }, async (_request, reply) => {
    return reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });

  app.get('/info', { schema: { summary: 'Loaded maps: header, profile, build time', tags: ['operations'] } }, async () => ({
    ready: ctx.ready,
    maps: Object.fromEntries(
      [...ctx.maps.values()].map((m) => [
        m.profile,
        {
          profile: m.profile,
          path: m.path,
          version: m.version,
          loadedAt: m.loadedAt,
          buildTime: new Date(m.header.buildTimeUnixMs).toISOString(),
          lastReload: ctx.reloads.get(m.profile) ?? null,
          traffic: trafficInfo(m),
          header: m.header,
        },
      ]),
    ),
  }));
};
