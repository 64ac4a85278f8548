/** API errors: an HTTP status, a machine-readable code (OSRM's codes where OSRM has one) and a message. */
import { WaymarkError } from '../errors.js';

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** HTTP status for a code coming from the core. */
export function statusOf(code: string): number {
  switch (code) {
    case 'InvalidQuery':
    case 'InvalidValue':
    case 'InvalidArgument':
    case 'InvalidInput':
    case 'NoSegment':
    case 'NoRoute':
    case 'TooBig':
    case 'InvalidOptions':
    case 'NoMatch':
    case 'NoTrips':
    case 'NotImplemented':
    case 'InvalidCustomModel':
    case 'InvalidTrafficFile':
    case 'MetricCorrupt':
    case 'MetricVersionUnsupported':
    case 'UnsupportedField':
    case 'UnknownField':
      return 400;
    case 'UnknownProfile':
    case 'NotFound':
      return 404;
    case 'MetricMismatch':
      return 409;
    case 'MapChanged':
      return 503;
    case 'NotReady':
      return 503;
    default:
      return 500;
  }
}

export function apiErrorOf(err: WaymarkError | { code: string; message: string }): ApiError {
  return new ApiError(statusOf(err.code), err.code, err.message);
}

/** The body of every error answer. */
export const errorSchema = {
  type: 'object',
  properties: {
    code: { type: 'string', description: 'machine-readable error code' },
    message: { type: 'string', description: 'what went wrong, for a human' },
  },
  required: ['code', 'message'],
} as const;
