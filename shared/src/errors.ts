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

function codeOf(formatted: GraphQLFormattedError): string | undefined {
  const code = formatted.extensions?.['code'];
  return typeof code === 'string' ? code : undefined;
}

/**
 * The single place where errors become what a client sees. Expected errors keep their code,
 * message and safe extensions; anything else is logged in full and reaches the client as a
 * bare internal error, so no stack, SQL or library message ever leaks.
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
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
    logger.error({ err: originalErrorOf(error), path: formatted.path }, 'unexpected error');
    return {
      message: INTERNAL_ERROR_MESSAGE,
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

function originalErrorOf(error: unknown): unknown {
  if (error instanceof GraphQLError && error.originalError) return error.originalError;
  return error;
}
