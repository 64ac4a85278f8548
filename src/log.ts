import { pino, type Logger } from 'pino';

/** Structured log lines (JSON, one per line) on stderr, so stdout stays clean for command output. */
export const log: Logger = pino(
  { name: 'waymark', level: process.env.WAYMARK_LOG_LEVEL ?? 'info', base: undefined },
  pino.destination({ fd: 2, sync: true }),
);
