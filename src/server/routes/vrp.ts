/**
 * VRP over HTTP. POST /vrp solves synchronously in a solver worker; POST /vrp/jobs queues a durable
 * job (202, Location, Idempotency-Key honoured); GET/DELETE /vrp/jobs/{id} read and cancel it.
 * Problems are validated before they are accepted: a malformed one is a 400 naming the field.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { WaymarkError } from '../../errors.js';
import { hashOf, type JobRow } from '../../jobs/store.js';
import { currentTraceContext } from '../../telemetry/tracing.js';
import { resolveProfileName } from '../../profiles/index.js';
import { splitVehicleMetrics } from '../../vrp/metrics.js';
import { parseProblem, VrpInputError } from '../../vrp/model.js';
import { checkDepots, modeOf, snapOptionsOf } from '../../vrp/solve.js';
import { checkVrpAnswerBytes } from '../../vrp/answer-size.js';
import { parseReplanRequest, replanProblem } from '../../vrp/replan.js';
import type { ServerContext } from '../context.js';
import { ApiError, errorSchema } from '../errors.js';

const example = {
  vehicles: [{ id: 1, start: [7.4197, 43.7314], end: [7.4197, 43.7314], capacity: [4], time_window: [0, 36000] }],
  jobs: [
    { id: 1, location: [7.4265, 43.739], service: 300, delivery: [1] },
    { id: 2, location: [7.4163, 43.7334], service: 300, delivery: [1], time_windows: [[0, 7200]] },
  ],
  options: { time_limit: 2, seed: 1 },
};

const problemSchema = {
  type: 'object',
  description: "A VROOM-format problem (jobs, shipments, vehicles, optional matrices) plus Waymark's `options`.",
  required: ['vehicles'],
  properties: {
    vehicles: { type: 'array', items: { type: 'object' } },
    jobs: { type: 'array', items: { type: 'object' } },
    shipments: { type: 'array', items: { type: 'object' } },
    matrices: { type: 'object' },
    options: {
      type: 'object',
      properties: {
        time_limit: { type: 'number', minimum: 0, description: "seconds of search at most (the search stops earlier once converged; summary.search.stop_reason says why it stopped); above the server's maximum (by default 3600 s for jobs, 60 s for POST /vrp) is a 400. Default: 1 s up to 20 tasks, growing to 5 s at 100 and 30 s from 600 tasks on" },
        seed: { type: 'integer', minimum: 0 },
        run_to_time_limit: { type: 'boolean', description: 'search until time_limit even once the search has converged (default false: small problems answer as soon as converged)' },
        geometry: { type: 'boolean', description: 'add each route geometry (polyline)' },
        snap_radius: {
          anyOf: [{ type: 'number', exclusiveMinimum: 0 }, { type: 'string', enum: ['unlimited'] }],
          description: 'snapping radius (m) for jobs, shipments and depots; default unlimited. A task beyond it is unassigned (NoSegment), a depot beyond it is a 400',
        },
        snap_threshold: { type: 'number', minimum: 0, description: 'snaps farther than this (m, default 100) are counted in summary.snapping.over_threshold' },
        mode: {
          type: 'string',
          enum: ['solve', 'plan'],
          description:
            "plan: VROOM's -c. No search: each vehicle's `steps` is its route; the answer gives ETAs, loads and `violations` per step, route and summary (lead_time, delay, load, max_tasks, skills, precedence, missing_break, max_travel_time, max_load, max_distance). Default solve (steps are then hard constraints)",
        },
      },
    },
  },
  additionalProperties: true,
  examples: [example],
} as const;

// The options the schema documents, and what a replan stores beside its problem: anything else is refused.
const HTTP_OPTIONS = new Set([...Object.keys(problemSchema.properties.options.properties), 'warm_start', 'replanned_from']);

interface Options {
  mode?: 'solve' | 'plan';
  time_limit?: number;
  run_to_time_limit?: boolean;
  seed?: number;
  geometry?: boolean;
  snap_radius?: number | 'unlimited';
  snap_threshold?: number;
}

type Body = Record<string, unknown> & { options?: Options };

const jobSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    version: { type: 'integer', description: 'plan version: 1 for the submission, then one more per replan' },
    status: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] },
    created_at: { type: 'string' },
    started_at: { type: ['string', 'null'] },
    finished_at: { type: ['string', 'null'] },
    progress: { type: ['object', 'null'], additionalProperties: true },
    solution: { type: 'object', additionalProperties: true },
    error: { type: 'object', additionalProperties: true },
  },
  examples: [{ id: '6f0c…', status: 'running', created_at: '2026-11-22T08:00:00.000Z', started_at: '2026-11-22T08:00:00.100Z', finished_at: null, progress: { elapsed_s: 1.2, best_cost: 732, improvements: 14 } }],
} as const;

/** Validates the problem (no solving, no matrices) and the profiles it needs; returns the parts. */
function accept(ctx: ServerContext, body: Body, maxTimeLimit: number, replan = false): { problem: Record<string, unknown>; options: Options } {
  const { options = {}, ...problem } = body;
  // Every option is honoured or refused: the solver's benchmarking switches (CPU-time budget,
  // search choice) are `waymark bench vrp`'s, not the API's.
  for (const k of Object.keys(options)) {
    if (!HTTP_OPTIONS.has(k)) throw new ApiError(400, 'UnknownField', `options.${k}: is not an option of this API (known: ${[...HTTP_OPTIONS].join(', ')})`);
  }
  // What a replan stores beside the problem is not for submissions.
  for (const k of ['warm_start', 'replanned_from']) {
    if (!replan && (options as Record<string, unknown>)[k] !== undefined) throw new ApiError(400, 'UnknownField', `options.${k}: is set by POST /vrp/jobs/{id}/replan, not by submissions`);
  }
  if (options.time_limit !== undefined && options.time_limit > maxTimeLimit) {
    throw new ApiError(400, 'InvalidValue', `options.time_limit: must be at most ${maxTimeLimit} seconds on this server`);
  }
  try {
    const snap = snapOptionsOf(options as Record<string, unknown>);
    // Vehicles' exclude / custom_model (a Waymark extension) become profiles of their own: checked
    // now, with their field paths, and the rest is checked as plain VROOM input.
    const split = splitVehicleMetrics(problem);
    const model = parseProblem(split.problem, undefined, true, modeOf(options as Record<string, unknown>));
    // An answer that cannot fit the byte limit is refused before solving or queueing.
    checkVrpAnswerBytes(model, ctx.config.maxAnswerBytes);
    if (!problem.matrices) {
      for (const [i, v] of model.vehicles.entries()) {
        const base = split.profiles[v.profile]?.base ?? v.profile;
        if (!ctx.maps.has(resolveProfileName(base))) {
          throw new ApiError(400, 'InvalidValue', `vehicles[${i}].profile: no map is loaded for profile '${base}'`);
        }
      }
      // A depot that cannot be placed is refused now, not after the job was queued (on the base map:
      // customizing a vehicle's metric is the worker's job, which refuses a depot on an excluded road).
      try {
        checkDepots(model.vehicles, (profile) => ctx.maps.get(resolveProfileName(split.profiles[profile]?.base ?? profile))!.handle, snap.snapRadius);
      } catch (err) {
        if (err instanceof WaymarkError && err.code === 'NoSegment') throw new ApiError(400, err.code, err.message);
        throw err;
      }
    }
  } catch (err) {
    if (err instanceof VrpInputError) throw new ApiError(400, err.code, err.message, {});
    throw err;
  }
  return { problem, options };
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function jobView(ctx: ServerContext, job: JobRow): Record<string, unknown> {
  // Progress of a job solving here is read live; one solving on another replica, from its last heartbeat.
  const live = job.status === 'running' ? (ctx.jobs!.runner.progressOf(job.id) ?? (job.progress ? JSON.parse(job.progress) : undefined)) : undefined;
  const view: Record<string, unknown> = {
    id: job.root_id ?? job.id,
    version: job.version,
    status: job.status,
    created_at: iso(job.created_at),
    started_at: iso(job.started_at),
    finished_at: iso(job.finished_at),
    progress: live ?? null,
  };
  if (job.cancel_requested && job.status === 'running') view.cancel_requested = true;
  if (job.result) {
    const solution = JSON.parse(job.result);
    view.solution = solution;
    view.progress = { elapsed_s: job.finished_at && job.started_at ? (job.finished_at - job.started_at) / 1000 : null, best_cost: solution.summary?.cost ?? null };
  }
  if (job.error) view.error = JSON.parse(job.error);
  return view;
}

function mapPaths(ctx: ServerContext): Record<string, string> {
  // With live traffic: whatever traffic is installed when the solve starts.
  return Object.fromEntries([...ctx.maps.entries()].map(([profile, m]) => [profile, m.traffic ? `${m.ref}@tlatest` : m.ref]));
}

export const vrpPlugin: FastifyPluginAsync<{ ctx: ServerContext }> = async (app, { ctx }) => {
  const jobs = ctx.jobs!;
  const errors = { '4xx': errorSchema, '5xx': errorSchema };

  app.post<{ Body: Body }>(
    '/vrp',
    { schema: { summary: 'Solve a VRP synchronously', description: "Returns the VROOM-format solution. `options.time_limit` beyond the server's synchronous maximum is a 400.", tags: ['vrp'], body: problemSchema, response: errors } },
    async (request, reply) => {
      const { problem, options } = accept(ctx, request.body, ctx.config.vrpSyncMaxTimeLimit);
      // Without time_limit the solver picks one from the problem's size (at most the server's maximum).
      const maxTimeLimit = ctx.config.vrpSyncMaxTimeLimit;
      const timeLimit = options.time_limit !== undefined ? Math.min(options.time_limit, maxTimeLimit) : undefined;
      const json = await jobs.runSync(
        {
          kind: 'vrp',
          maps: mapPaths(ctx),
          problem,
          options: {
            ...(timeLimit !== undefined ? { timeLimit } : {}),
            maxTimeLimit,
            ...(options.run_to_time_limit ? { runToTimeLimit: true } : {}),
            seed: options.seed ?? 1,
            geometry: options.geometry ?? false,
            threads: jobs.threadsPerSolve,
            mode: modeOf(options as Record<string, unknown>),
            ...snapOptionsOf(options as Record<string, unknown>),
          },
          maxBytes: ctx.config.maxAnswerBytes,
        },
        ((timeLimit ?? maxTimeLimit) + 60) * 1000,
      );
      return reply.type('application/json').send(json);
    },
  );

  app.post<{ Body: Body; Headers: { 'idempotency-key'?: string } }>(
    '/vrp/jobs',
    {
      schema: {
        summary: 'Queue a VRP job (durable)',
        description:
          'Answers 202 at once with the job id and a Location header. The same Idempotency-Key with the same body returns the original job; with a different body, 422. Keys are kept for a configurable time (default 24 h).',
        tags: ['vrp'],
        body: problemSchema,
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 256 } } },
        response: { 202: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' } }, examples: [{ id: '6f0c…', status: 'queued' }] }, ...errors },
      },
    },
    async (request, reply: FastifyReply) => {
      const { problem, options } = accept(ctx, request.body, ctx.config.vrpMaxTimeLimit);
      const key = request.headers['idempotency-key'];
      let result;
      try {
        result = await jobs.store.create(JSON.stringify(problem), JSON.stringify(options), key, ctx.config.idempotencyTtlMs, ctx.config.tracing ? currentTraceContext() : undefined);
      } catch (err) {
        if (err instanceof WaymarkError && err.code === 'IdempotencyConflict') throw new ApiError(422, err.code, err.message);
        throw err;
      }
      if (result.created) jobs.runner.tick();
      else void reply.header('idempotent-replayed', 'true');
      return reply.code(202).header('location', `/vrp/jobs/${result.job.id}`).send({ id: result.job.id, status: result.job.status });
    },
  );

  /** A job's version: the latest unless `version` is given (the root id or any version's own id). */
  const versionOf = async (id: string, version?: number): Promise<JobRow> => {
    const row = await jobs.store.get(id);
    if (!row) throw new ApiError(404, 'NotFound', `no job ${id}`);
    const root = row.root_id ?? row.id;
    const job = version === undefined && row.root_id !== null ? row : await jobs.store.getVersion(root, version);
    if (!job) throw new ApiError(404, 'NotFound', `job ${root} has no version ${version}`);
    return job;
  };

  app.get<{ Params: { id: string }; Querystring: { version?: number } }>(
    '/vrp/jobs/:id',
    {
      schema: {
        summary: 'Status, progress and (when done) the solution of a job',
        description: 'The latest version of the plan by default (replans add versions); `version` picks one.',
        tags: ['vrp'],
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        querystring: { type: 'object', properties: { version: { type: 'integer', minimum: 1 } }, additionalProperties: false },
        response: { 200: jobSchema, ...errors },
      },
    },
    async (request) => jobView(ctx, await versionOf(request.params.id, request.query.version)),
  );

  app.post<{ Params: { id: string }; Body: Record<string, unknown>; Headers: { 'idempotency-key'?: string } }>(
    '/vrp/jobs/:id/replan',
    {
      schema: {
        summary: 'Re-optimise a live plan (a new version of the job)',
        description:
          'From the latest solved version: `jobs` and `shipments` to add, `cancelled` ({ jobs: [ids], shipments: [pickup ids] }), and per vehicle its `position` (or `position_index`), `time`, the stops it has `done` ([{ type, id }], breaks included) and the one `in_progress`. Done and in-progress stops stay fixed; the previous routes are the warm start; `options.time_limit` defaults to 2 s. Answers 202 with the version; `Idempotency-Key` as for submissions.',
        tags: ['vrp'],
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        body: {
          type: 'object',
          properties: {
            jobs: { type: 'array', items: { type: 'object' } },
            shipments: { type: 'array', items: { type: 'object' } },
            cancelled: { type: 'object' },
            vehicles: { type: 'array', items: { type: 'object' } },
            options: { type: 'object', properties: { time_limit: { type: 'number', minimum: 0 }, seed: { type: 'integer', minimum: 0 } }, additionalProperties: false },
          },
          examples: [{ jobs: [{ id: 99, location: [7.42, 43.735], service: 120, delivery: [1] }], cancelled: { jobs: [2] }, vehicles: [{ id: 1, position: [7.4197, 43.7314], time: 3600, done: [{ type: 'job', id: 1 }] }] }],
        },
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 256 } } },
        response: { 202: { type: 'object', properties: { id: { type: 'string' }, version: { type: 'integer' }, status: { type: 'string' } } }, ...errors },
      },
    },
    async (request, reply) => {
      const row = await jobs.store.get(request.params.id);
      if (!row) throw new ApiError(404, 'NotFound', `no job ${request.params.id}`);
      const rootId = row.root_id ?? row.id;
      const { options: replanOptions = {}, ...body } = request.body as { options?: { time_limit?: number; seed?: number } } & Record<string, unknown>;
      const key = request.headers['idempotency-key'];
      // A key already used: the same request replays its version, another is a conflict — decided
      // before the request is checked against the plan, which may have moved on since.
      if (key !== undefined) {
        const earlier = await jobs.store.keyed(key, ctx.config.idempotencyTtlMs);
        if (earlier) {
          if (earlier.bodyHash !== hashOf('', '', { rootId, request: JSON.stringify(request.body) })) {
            throw new ApiError(422, 'IdempotencyConflict', 'this Idempotency-Key was already used with a different body');
          }
          const job = await jobs.store.get(earlier.jobId);
          if (job) {
            void reply.header('idempotent-replayed', 'true');
            return reply.code(202).header('location', `/vrp/jobs/${rootId}?version=${job.version}`).send({ id: rootId, version: job.version, status: job.status });
          }
        }
      }
      // The latest solved version is the base.
      let base = await jobs.store.getVersion(rootId);
      while (base && base.status !== 'succeeded' && base.version > 1) base = await jobs.store.getVersion(rootId, base.version - 1);
      if (!base || base.status !== 'succeeded' || !base.result) throw new ApiError(409, 'JobNotSolved', `job ${rootId} has no solved version to replan from yet`);
      let derived;
      try {
        derived = replanProblem(JSON.parse(base.problem), JSON.parse(base.result), parseReplanRequest(body));
      } catch (err) {
        if (err instanceof VrpInputError) throw new ApiError(400, err.code, err.message, {});
        throw err;
      }
      const baseOptions = JSON.parse(base.options) as Record<string, unknown>;
      const options = {
        ...Object.fromEntries(Object.entries(baseOptions).filter(([k]) => k !== 'warm_start' && k !== 'time_limit' && k !== 'mode')),
        time_limit: replanOptions.time_limit ?? 2,
        ...(replanOptions.seed !== undefined ? { seed: replanOptions.seed } : {}),
        warm_start: derived.warmStart,
        replanned_from: base.version,
      };
      const { problem } = accept(ctx, { ...derived.problem, options } as Body, ctx.config.vrpMaxTimeLimit, true);
      let result;
      try {
        result = await jobs.store.create(JSON.stringify(problem), JSON.stringify(options), key, ctx.config.idempotencyTtlMs, ctx.config.tracing ? currentTraceContext() : undefined, {
          rootId,
          request: JSON.stringify(request.body),
        });
      } catch (err) {
        if (err instanceof WaymarkError && err.code === 'IdempotencyConflict') throw new ApiError(422, err.code, err.message);
        throw err;
      }
      if (result.created) jobs.runner.tick();
      else void reply.header('idempotent-replayed', 'true');
      return reply
        .code(202)
        .header('location', `/vrp/jobs/${rootId}?version=${result.job.version}`)
        .send({ id: rootId, version: result.job.version, status: result.job.status });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/vrp/jobs/:id',
    {
      schema: {
        summary: 'Cancel a job',
        description: 'A queued job is cancelled at once; a running solve stops within a second and keeps its best solution. Finished jobs answer 409.',
        tags: ['vrp'],
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        response: { 200: jobSchema, 202: jobSchema, ...errors },
      },
    },
    async (request, reply) => {
      const before = await versionOf(request.params.id);
      if (before.status === 'succeeded' || before.status === 'failed') throw new ApiError(409, 'JobFinished', `job ${before.id} already ${before.status}`);
      const job = await jobs.runner.cancel(before.id);
      if (!job) throw new ApiError(404, 'NotFound', `no job ${request.params.id}`);
      if (job.status === 'succeeded' || job.status === 'failed') throw new ApiError(409, 'JobFinished', `job ${job.id} already ${job.status}`);
      return reply.code(job.status === 'running' ? 202 : 200).send(jobView(ctx, job));
    },
  );
};
