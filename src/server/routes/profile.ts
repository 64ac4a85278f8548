/**
 * Profiling a running server: POST /admin/profile/cpu?seconds=N[&worker=all] (a .cpuprofile of the
 * main thread, or of every thread) and POST /admin/profile/heap[?seconds=N] (a heap snapshot of the
 * main thread, or a sampling heap profile over N seconds). Admin token as for /admin/reload; without
 * one configured the endpoints do not exist. One profile at a time: another request meanwhile is 409.
 */
import { timingSafeEqual } from 'node:crypto';
import { getHeapSnapshot } from 'node:v8';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { cpuProfile, cpuProfileAllThreads, heapSamplingProfile } from '../../telemetry/profiling.js';
import type { ServerContext } from '../context.js';
import { ApiError, errorSchema } from '../errors.js';

const secondsSchema = { type: 'integer', minimum: 1, maximum: 60 } as const;

export const profilePlugin: FastifyPluginAsync<{ ctx: ServerContext }> = async (app, { ctx }) => {
  const token = ctx.config.adminToken;
  if (!token) return;
  let busy = false;

  const authorize = (request: FastifyRequest) => {
    const given = Buffer.from((request.headers.authorization ?? '').replace(/^Bearer /, ''));
    const expected = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new ApiError(401, 'Unauthorized', 'a valid admin token is required');
    if (busy) throw new ApiError(409, 'ProfileInProgress', 'another profile is being taken; retry when it is done');
    busy = true;
  };
  const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');

  app.post<{ Querystring: { seconds: number; worker?: 'all' } }>(
    '/admin/profile/cpu',
    {
      schema: {
        summary: 'CPU profile of the running server',
        description:
          'Needs `Authorization: Bearer <WAYMARK_ADMIN_TOKEN>`. Samples the main thread for `seconds` and answers a `.cpuprofile` (open it in Chrome DevTools or speedscope). With `worker=all`, every worker thread is profiled over the same time and the answer is `{ main, workers: [{ threadId, profile }], missing }`.',
        tags: ['operations'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { seconds: { ...secondsSchema, default: 10 }, worker: { type: 'string', enum: ['all'] } },
        },
        response: { '4xx': errorSchema, '5xx': errorSchema },
      },
    },
    async (request, reply) => {
      authorize(request);
      try {
        const { seconds, worker } = request.query;
        request.log.info({ seconds, worker: worker ?? 'main' }, 'CPU profile started');
        const body = worker === 'all' ? await cpuProfileAllThreads(seconds, 30_000, ctx.config.workers) : await cpuProfile(seconds);
        const name = `waymark-${worker === 'all' ? 'threads' : 'main'}-${stamp()}.${worker === 'all' ? 'json' : 'cpuprofile'}`;
        return reply.type('application/json').header('content-disposition', `attachment; filename="${name}"`).send(JSON.stringify(body));
      } finally {
        busy = false;
      }
    },
  );

  app.post<{ Querystring: { seconds?: number } }>(
    '/admin/profile/heap',
    {
      schema: {
        summary: 'Heap snapshot or sampling heap profile of the main thread',
        description:
          'Needs `Authorization: Bearer <WAYMARK_ADMIN_TOKEN>`. Without `seconds`: a `.heapsnapshot` (Chrome DevTools, Memory tab). With `seconds`: a sampling heap profile over that time, `.heapprofile` (DevTools or speedscope).',
        tags: ['operations'],
        querystring: { type: 'object', additionalProperties: false, properties: { seconds: secondsSchema } },
        response: { '4xx': errorSchema, '5xx': errorSchema },
      },
    },
    async (request, reply) => {
      authorize(request);
      const { seconds } = request.query;
      if (seconds !== undefined) {
        try {
          const profile = await heapSamplingProfile(seconds);
          return reply.type('application/json').header('content-disposition', `attachment; filename="waymark-main-${stamp()}.heapprofile"`).send(JSON.stringify(profile));
        } finally {
          busy = false;
        }
      }
      // The snapshot streams out; the next profile may start once it is sent (or the client goes away).
      let snapshot;
      try {
        snapshot = getHeapSnapshot();
      } catch (err) {
        busy = false;
        throw err;
      }
      const done = () => {
        busy = false;
      };
      snapshot.once('close', done).once('error', done);
      reply.raw.once('close', () => {
        done();
        snapshot.destroy();
      });
      return reply.type('application/json').header('content-disposition', `attachment; filename="waymark-main-${stamp()}.heapsnapshot"`).send(snapshot);
    },
  );
};
