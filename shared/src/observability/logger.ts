import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/**
 * Paths that could hold a secret. Redacted wherever they appear so that no password or
 * token reaches a log line, even when a whole request or error object is logged.
 */
const SECRET_PATHS = [
  'password',
  'passwordHash',
  'token',
  'accessToken',
  'refreshToken',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'variables.input.password',
  'variables.refreshToken',
  '*.password',
  '*.accessToken',
  '*.refreshToken',
  '*.authorization',
];

/** A structured logger whose every line carries the service name; a request's own (`requestLogger`) adds its request id. */
export function createLogger(service: string, level: LevelWithSilent = 'info'): Logger {
  return pino({
    level,
    base: { service },
    redact: { paths: SECRET_PATHS, censor: '[redacted]' },
  });
}
