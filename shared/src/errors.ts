import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';

/** The contract's error codes (shared/api/contract.graphql). Every failure a client sees carries one. */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  INSUFFICIENT_STOCK: 'INSUFFICIENT_STOCK',
  DISH_UNAVAILABLE: 'DISH_UNAVAILABLE',
  INVALID_TRANSITION: 'INVALID_TRANSITION',
  RATE_LIMITED: 'RATE_LIMITED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Codes a client may see besides the contract's own: GraphQL's and Apollo's request-level
 * errors (parse, validation, malformed HTTP request, persisted queries), and the one that
 * stands for everything unexpected.
 */
const PROTOCOL_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'PAYLOAD_TOO_LARGE',
]);
const CLIENT_VISIBLE_CODES = new Set<string>([...Object.values(ErrorCode), ...PROTOCOL_CODES]);

/** Extension keys that are safe to show a client; anything else a library attaches is dropped. */
const CLIENT_VISIBLE_EXTENSIONS = ['code', 'field', 'retryAfterSeconds', 'dishId', 'serviceName'] as const;

export const INTERNAL_ERROR_MESSAGE = 'Internal server error';

/** An expected failure with one of the contract's codes; its message is written for the client. */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'You must be signed in') {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You are not allowed to do this') {
    super(ErrorCode.FORBIDDEN, message);
  }
}

/** Bad input; `field` is the argument path (e.g. `input.items[2].quantity`) and leads the message. */
export class BadUserInputError extends AppError {
  constructor(field: string, problem: string) {
    super(ErrorCode.BAD_USER_INPUT, `${field}: ${problem}`, { field });
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super(ErrorCode.NOT_FOUND, message);
  }
}

export class ConflictError extends AppError {
  constructor(field: string, message: string) {
    super(ErrorCode.CONFLICT, message, { field });
  }
}

export class InsufficientStockError extends AppError {
  constructor(dishId: string, message: string) {
    super(ErrorCode.INSUFFICIENT_STOCK, message, { dishId });
  }
}

export class DishUnavailableError extends AppError {
  constructor(dishId: string, message: string) {
    super(ErrorCode.DISH_UNAVAILABLE, message, { dishId });
  }
}

export class InvalidTransitionError extends AppError {
  constructor(message: string) {
    super(ErrorCode.INVALID_TRANSITION, message);
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number, message = 'Too many attempts, try again later') {
    super(ErrorCode.RATE_LIMITED, message, { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) });
  }
}

/**
 * Something the operation needs (a subgraph, the database, Redis) is down or too slow.
 * `serviceName` names it; the client may retry (a mutation with the same idempotencyKey).
 */
export class ServiceUnavailableError extends AppError {
  constructor(serviceName: string, message = `${serviceName} is unavailable, try again shortly`) {
    super(ErrorCode.SERVICE_UNAVAILABLE, message, { serviceName });
  }
}

/**
 * Failures of a dependency that mean "down or too slow", by the `code` each client library
 * gives them (never by message text): PostgreSQL's SQLSTATEs for a lost connection (class 08),
 * a cancelled statement (57014: statement_timeout), a server shutting down or starting
 * (57P01-57P03), a transaction ended for idling (25P03), too many connections (53300) and a
 * lock not had in time (55P03); socket errors; the codes `@dishpatch/shared/database` gives
 * failures that have none; and the mark `@dishpatch/shared/redis` puts on a command Redis did
 * not answer (`markUnavailable`).
 */
const SOCKET_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);
const DATABASE_UNAVAILABLE_CODES = new Set(['DATABASE_UNREACHABLE', 'DATABASE_DEADLINE_EXCEEDED', '57014', '57P01', '57P02', '57P03', '25P03', '53300', '55P03']);

const UNAVAILABLE_DEPENDENCY = Symbol('unavailable dependency');

/**
 * Marks an error as a dependency being down or too slow, for a client library whose errors
 * carry no code of their own to tell (ioredis: a timed-out or lost command). The error is not
 * otherwise changed.
 */
export function markUnavailable(error: Error, dependency: 'database' | 'redis'): void {
  (error as Error & { [UNAVAILABLE_DEPENDENCY]?: string })[UNAVAILABLE_DEPENDENCY] = dependency;
}

/** The dependency ('database', 'redis') an error says is unavailable, looking through the wrappers (GraphQL, TypeORM, causes). */
export function unavailableDependencyOf(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const current = pending.shift();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const marked = (current as { [UNAVAILABLE_DEPENDENCY]?: unknown })[UNAVAILABLE_DEPENDENCY];
    if (typeof marked === 'string') return marked;
    const { code, originalError, driverError, cause } = current as { code?: unknown; originalError?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof code === 'string') {
      if (DATABASE_UNAVAILABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return 'database';
      if (SOCKET_ERROR_CODES.has(code)) return 'database';
    }
    pending.push(originalError, driverError, cause);
  }
  return undefined;
}

function codeOf(formatted: GraphQLFormattedError): string | undefined {
  const code = formatted.extensions?.['code'];
  return typeof code === 'string' ? code : undefined;
}

/**
 * The single place where errors become what a client sees. Expected errors keep their code,
 * message and safe extensions; anything else reaches the client as a bare internal error (or
 * SERVICE_UNAVAILABLE naming the dependency that is down), so no stack, SQL or library message
 * ever leaks. Given the request's logger, it logs those in full, with the request id; the
 * gateway, whose Apollo Server formats without the request, logs them from a plugin instead
 * (gateway/src/request-errors.ts).
 */
export function createErrorFormatter() {
  return (formatted: GraphQLFormattedError, error: unknown, log?: Logger): GraphQLFormattedError => {
    const code = codeOf(formatted);
    if (code !== undefined && CLIENT_VISIBLE_CODES.has(code)) {
      const extensions: Record<string, unknown> = {};
      for (const key of CLIENT_VISIBLE_EXTENSIONS) {
        const value = formatted.extensions?.[key];
        if (value !== undefined) extensions[key] = value;
      }
      return {
        message: formatted.message,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions,
      };
    }
    const unavailable = unavailableDependencyOf(error);
    if (unavailable !== undefined) {
      log?.warn({ err: originalErrorOf(error), path: formatted.path, serviceName: unavailable }, 'dependency unavailable');
      return {
        message: `${unavailable} is unavailable, try again shortly`,
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, serviceName: unavailable },
      };
    }
    log?.error({ err: originalErrorOf(error), path: formatted.path }, 'unexpected error');
    return {
      message: INTERNAL_ERROR_MESSAGE,
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

/** What `createErrorFormatter()` returns: an error as the client sees it, logged when unexpected if a logger is given. */
export type ErrorFormatter = ReturnType<typeof createErrorFormatter>;

function originalErrorOf(error: unknown): unknown {
  if (error instanceof GraphQLError && error.originalError) return error.originalError;
  return error;
}
