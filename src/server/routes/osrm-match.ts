/**
 * GET /match/v1/{profile}/{coordinates} and POST /match: OSRM's map matching (HMM + Viterbi on the
 * contraction hierarchy, native/match/). steps=true gives each leg the same turn-by-turn steps as /route.
 */
import type { FastifyPluginAsync } from 'fastify';
import { MATCH_ANNOTATIONS, type MatchAnnotation, type MatchRequest } from '../../routing/match.js';
import type { LonLat } from '../../routing/route.js';
import { canonicalExclude, EXCLUDE_CLASSES, type ExcludeClass } from '../../routing/metric.js';
import { parseExclude } from '../osrm-options.js';
import type { ServerContext } from '../context.js';
import { requireMap, withMap } from '../context.js';
import { ApiError, errorSchema } from '../errors.js';
import { osrmParamsSchema, parseOsrmCoordinates } from '../osrm-params.js';
import { lonLatSchema, profileSchema } from '../schemas.js';

/** Largest GPS error a point may declare (metres): candidates are searched within 3 sigma. */
const MAX_SIGMA = 1000;

const overviewSchema = { enum: ['full', 'simplified', 'false'], default: 'simplified' } as const;
const geometriesSchema = { enum: ['polyline', 'polyline6', 'geojson'], default: 'polyline' } as const;
const gapsSchema = { enum: ['split', 'ignore'], default: 'split', description: 'split the trace where timestamps are more than 60 s apart' } as const;

const QUERY_KEYS = ['timestamps', 'radiuses', 'gaps', 'tidy', 'overview', 'geometries', 'steps', 'annotations', 'waypoints', 'generate_hints', 'exclude'];
const BODY_KEYS = ['profile', 'coordinates', ...QUERY_KEYS];

function refuseUnknown(obj: object, known: string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) throw new ApiError(400, 'InvalidOptions', `${where} '${key}' is not supported by the match service (supported: ${known.join(', ')})`);
  }
}

export function parseMatchAnnotations(value: boolean | string | string[] | undefined): MatchAnnotation[] {
  if (value === undefined || value === false || value === 'false') return [];
  if (value === true || value === 'true') return [...MATCH_ANNOTATIONS];
  const list = Array.isArray(value) ? value : value.split(',');
  return list.map((a) => {
    if (!(MATCH_ANNOTATIONS as readonly string[]).includes(a)) throw new ApiError(400, 'InvalidValue', `unknown annotation '${a}' (supported: ${MATCH_ANNOTATIONS.join(', ')})`);
    return a as MatchAnnotation;
  });
}

function checkSigma(r: number | null, i: number): number | null {
  if (r === null) return null;
  if (typeof r !== 'number' || !Number.isFinite(r) || r <= 0 || r > MAX_SIGMA) {
    throw new ApiError(400, 'InvalidValue', `radiuses[${i}] must be a GPS error in metres in (0, ${MAX_SIGMA}]`);
  }
  return r;
}

function checkSigmas(radiuses: (number | null)[], count: number): (number | null)[] {
  if (radiuses.length !== count) throw new ApiError(400, 'InvalidValue', `radiuses must have ${count} entries, one per coordinate`);
  return radiuses.map(checkSigma);
}

function parseList(text: string | undefined, count: number, what: string, item: (s: string, i: number) => number | null): (number | null)[] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(';');
  if (parts.length !== count) throw new ApiError(400, 'InvalidValue', `${what} must have ${count} entries, one per coordinate`);
  return parts.map(item);
}

function checkTimestamps(ts: number[] | undefined, count: number): number[] | undefined {
  if (ts === undefined) return undefined;
  if (ts.length !== count) throw new ApiError(400, 'InvalidValue', `timestamps must have ${count} entries, one per coordinate`);
  ts.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 0) throw new ApiError(400, 'InvalidValue', `timestamps[${i}] must be a non-negative integer (seconds)`);
  });
  return ts;
}

function checkWaypoints(w: number[] | undefined, count: number): number[] | undefined {
  if (w === undefined) return undefined;
  w.forEach((i, k) => {
    if (!Number.isInteger(i) || i < 0 || i >= count) throw new ApiError(400, 'InvalidValue', `waypoints[${k}] must be a coordinate index below ${count}`);
  });
  return w;
}

interface Query {
  timestamps?: string;
  radiuses?: string;
  gaps?: 'split' | 'ignore';
  tidy?: boolean;
  overview?: 'full' | 'simplified' | 'false';
  geometries?: 'polyline' | 'polyline6' | 'geojson';
  steps?: boolean;
  annotations?: string;
  waypoints?: string;
  generate_hints?: boolean;
  exclude?: string;
}

interface Body {
  profile?: string;
  coordinates: LonLat[];
  timestamps?: number[];
  radiuses?: (number | null)[];
  gaps?: 'split' | 'ignore';
  tidy?: boolean;
  overview?: 'full' | 'simplified' | 'false';
  geometries?: 'polyline' | 'polyline6' | 'geojson';
  steps?: boolean;
  annotations?: boolean | string[];
  waypoints?: number[];
  generate_hints?: boolean;
  exclude?: string[];
}

export const osrmMatchPlugin: FastifyPluginAsync<{ ctx: ServerContext }> = async (app, { ctx }) => {
  const run = async (profile: string | undefined, request: MatchRequest, reply: { header(n: string, v: string): unknown; type(t: string): { send(x: unknown): unknown } }, exclude?: ExcludeClass[]) => {
    const json = await withMap(ctx, profile, reply, (map) => ctx.pool.run({ kind: 'osrm-match', map, request, ...(exclude ? { metric: { exclude } } : {}) }));
    return reply.type('application/json').send(json);
  };

  app.get<{ Params: { profile: string; coordinates: string }; Querystring: Query }>(
    '/match/v1/:profile/:coordinates',
    {
      schema: {
        summary: 'OSRM-compatible map matching',
        description:
          'Snaps a GPS trace to the roads driven (hidden Markov model, Viterbi). `radiuses` are GPS errors (sigma, default 5 m); candidates lie within 3 sigma. ' +
          'Points with no road in reach are dropped (null tracepoints); breaks and time gaps over 60 s (gaps=split) start a new matching. `steps=true` gives every leg turn-by-turn steps as /route does.',
        tags: ['osrm'],
        params: osrmParamsSchema,
        querystring: {
          type: 'object',
          properties: {
            timestamps: { type: 'string', description: 'seconds per coordinate, ; separated, non-decreasing' },
            radiuses: { type: 'string', description: 'GPS error (m) per coordinate, ; separated (empty = 5 m)' },
            gaps: gapsSchema,
            tidy: { type: 'boolean', default: false, description: 'drop fixes within 15 m of (or not later than) the previous one kept' },
            overview: overviewSchema,
            geometries: geometriesSchema,
            steps: { type: 'boolean', default: false },
            annotations: { type: 'string', default: 'false', description: `false, or a list of ${MATCH_ANNOTATIONS.join(', ')}` },
            waypoints: { type: 'string', description: 'coordinate indices (; separated) that delimit legs; first and last required' },
            generate_hints: { type: 'boolean', default: true },
            exclude: { type: 'string', description: 'road classes to avoid, comma separated: motorway, toll, ferry, unpaved' },
          },
        },
        response: { '4xx': errorSchema, '5xx': errorSchema },
      },
    },
    async (request, reply) => {
      const { profile, coordinates } = request.params;
      requireMap(ctx, profile);
      const q = request.query;
      refuseUnknown(q, QUERY_KEYS, 'parameter');
      const coords = parseOsrmCoordinates(coordinates, ctx.config.maxMatchCoordinates);
      if (coords.length < 2) throw new ApiError(400, 'InvalidQuery', 'a trace needs at least two coordinates');
      const n = coords.length;
      const timestamps = parseList(q.timestamps, n, 'timestamps', (s) => (s.trim() === '' ? NaN : Number(s)));
      const radiuses = parseList(q.radiuses, n, 'radiuses', (s, i) => checkSigma(s === '' ? null : Number(s), i));
      const waypoints = q.waypoints === undefined ? undefined : q.waypoints.split(';').map((s) => (s.trim() === '' ? NaN : Number(s)));
      return run(profile, {
        coordinates: coords,
        ...(timestamps ? { timestamps: checkTimestamps(timestamps as number[], n)! } : {}),
        ...(radiuses ? { radiuses } : {}),
        gaps: q.gaps ?? 'split',
        tidy: q.tidy ?? false,
        overview: q.overview ?? 'simplified',
        geometries: q.geometries ?? 'polyline',
        annotations: parseMatchAnnotations(q.annotations),
        steps: q.steps ?? false,
        ...(waypoints ? { waypoints: checkWaypoints(waypoints, n)! } : {}),
        generateHints: q.generate_hints ?? true,
      }, reply, parseExclude(q.exclude));
    },
  );

  app.post<{ Body: Body }>(
    '/match',
    {
      schema: {
        summary: 'Map matching (JSON body)',
        description: 'The match service with the trace in the body: the same parameters as GET /match/v1, as JSON values.',
        tags: ['osrm'],
        body: {
          type: 'object',
          required: ['coordinates'],
          properties: {
            profile: profileSchema,
            coordinates: { type: 'array', items: lonLatSchema, minItems: 2, description: 'the trace, [lon, lat] per fix' },
            timestamps: { type: 'array', items: { type: 'integer', minimum: 0 } },
            radiuses: { type: 'array', items: { type: ['number', 'null'] }, description: 'GPS error (m) per fix; null = 5 m' },
            gaps: gapsSchema,
            tidy: { type: 'boolean', default: false },
            overview: overviewSchema,
            geometries: geometriesSchema,
            steps: { type: 'boolean', default: false },
            annotations: { anyOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'string' } }], default: false },
            waypoints: { type: 'array', items: { type: 'integer', minimum: 0 } },
            generate_hints: { type: 'boolean', default: true },
            exclude: { type: 'array', items: { enum: [...EXCLUDE_CLASSES] }, uniqueItems: true, description: 'road classes to avoid' },
          },
        },
        response: { '4xx': errorSchema, '5xx': errorSchema },
      },
    },
    async (request, reply) => {
      const b = request.body;
      requireMap(ctx, b.profile);
      refuseUnknown(b, BODY_KEYS, 'field');
      const n = b.coordinates.length;
      if (n > ctx.config.maxMatchCoordinates) throw new ApiError(400, 'TooBig', `${n} coordinates exceed the limit of ${ctx.config.maxMatchCoordinates}`);
      return run(b.profile, {
        coordinates: b.coordinates,
        ...(b.timestamps ? { timestamps: checkTimestamps(b.timestamps, n)! } : {}),
        ...(b.radiuses ? { radiuses: checkSigmas(b.radiuses, n) } : {}),
        gaps: b.gaps ?? 'split',
        tidy: b.tidy ?? false,
        overview: b.overview ?? 'simplified',
        geometries: b.geometries ?? 'polyline',
        annotations: parseMatchAnnotations(b.annotations),
        steps: b.steps ?? false,
        ...(b.waypoints ? { waypoints: checkWaypoints(b.waypoints, n)! } : {}),
        generateHints: b.generate_hints ?? true,
      }, reply, b.exclude?.length ? canonicalExclude(b.exclude) : undefined);
    },
  );
};
