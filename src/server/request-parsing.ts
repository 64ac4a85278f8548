/**
 * How requests are read before any handler runs: strict JSON bodies (no type coercion, a bounded
 * nesting depth), lenient-only-where-OSRM-is query strings, no content encodings, and validation
 * errors that name the offending field by its path.
 */
import { Ajv, type ErrorObject } from 'ajv';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { ApiError } from './errors.js';

/** Deepest nesting of arrays and objects a JSON body may have (a VROOM problem needs 5). */
export const MAX_JSON_DEPTH = 64;

/**
 * The nesting depth of JSON text, without parsing it: a body nested thousands of levels deep would
 * otherwise overflow the stack of whatever walks it later (validation, hand-off to a worker,
 * JSON.stringify). Returns the depth reached, stopping early once past `limit`.
 */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** JSON.parse with the depth limit: the one way every JSON input (HTTP bodies, CLI files) is read. */
export function parseJsonText(text: string, what = 'the body'): unknown {
  if (jsonDepth(text) > MAX_JSON_DEPTH) throw new ApiError(400, 'InvalidQuery', `${what} nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`);
  return JSON.parse(text);
}

/** "/coordinates/0/1" -> "coordinates[0][1]" (JSON pointer to the path style of VRP errors). */
export function fieldPath(instancePath: string, missing?: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (missing !== undefined) parts.push(missing);
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

/** One validation failure as "<where>.<field path>: <what is wrong>". */
export function validationMessage(context: string, error: ErrorObject | undefined): string {
  if (!error) return `${context}: invalid`;
  const missing = error.keyword === 'required' ? String((error.params as { missingProperty: string }).missingProperty) : undefined;
  const path = fieldPath(error.instancePath, missing);
  const where = context === 'body' ? path || 'body' : path ? `${context}.${path}` : context;
  let what = missing !== undefined ? 'is required' : (error.message ?? 'is invalid');
  if (error.keyword === 'enum') what += `: ${((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
  return `${where}: ${what}`;
}

/**
 * Installs the parsers and validators. Bodies are validated without type coercion ("7.42" is not
 * a coordinate, ["car"] not a profile); query strings, path parameters and headers are text and
 * are coerced to the types their schemas declare.
 */
export function installRequestParsing(app: FastifyInstance): void {
  const common = { useDefaults: true, removeAdditional: false, allErrors: false, strict: false } as const;
  const bodyAjv = new Ajv({ ...common, coerceTypes: false });
  const textAjv = new Ajv({ ...common, coerceTypes: true });
  app.setValidatorCompiler(({ schema, httpPart }: { schema: FastifySchema; httpPart?: string }) => (httpPart === 'body' ? bodyAjv : textAjv).compile(schema));

  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (jsonDepth(text) > MAX_JSON_DEPTH) {
      done(new ApiError(400, 'InvalidQuery', `the body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return;
    }
    defaultJson(request, text, done);
  });

  // A compressed body would be parsed as if it were plain text: refuse every content encoding.
  app.addHook('onRequest', (request, _reply, done) => {
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      done(new ApiError(415, 'UnsupportedMediaType', `content-encoding '${encoding}' is not supported: send the body uncompressed`));
      return;
    }
    done();
  });
}
