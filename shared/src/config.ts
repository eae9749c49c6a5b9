import { z } from 'zod';
import { weaknessOfSecret } from './http/gateway-secret.js';

/** Raised when an environment variable has a bad value; the message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses the environment against one schema per service, once at start.
 * Every variable has a default that serves `npm start`; a bad value stops the
 * process with a message naming each offending variable.
 */
export function loadConfig<Shape extends z.ZodRawShape>(
  shape: Shape,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<Shape>> {
  const parsed = z.object(shape).safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = issue.path.join('.');
      return `${variable}=${JSON.stringify(env[variable] ?? '')}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

/** Reusable variable types, so every service validates ports, URLs and durations alike. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  positiveInt: (fallback: number, max = Number.MAX_SAFE_INTEGER) =>
    z.coerce.number().int().min(1).max(max).default(fallback),
  intInRange: (fallback: number, min: number, max: number) =>
    z.coerce.number().int().min(min).max(max).default(fallback),
  url: (fallback: string, protocols: readonly string[]) =>
    z
      .string()
      .default(fallback)
      .refine((value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      }, `must be a URL with one of the protocols ${protocols.join(', ')}`),
  optionalUrl: (protocols: readonly string[]) =>
    z
      .string()
      .optional()
      .refine((value) => {
        if (value === undefined || value === '') return true;
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      }, `must be a URL with one of the protocols ${protocols.join(', ')}`)
      .transform((value) => (value === '' ? undefined : value)),
  /** `true`/`false` (or `1`/`0`); anything else, "yes" included, is a bad value rather than a guess. */
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1'),
  string: (fallback: string) => z.string().min(1).default(fallback),
  optionalString: () =>
    z
      .string()
      .optional()
      .transform((value) => (value === '' ? undefined : value)),
  /** A secret when set (see weaknessOfSecret); unset or empty is undefined, for `requireSecret` to refuse where it is needed. */
  optionalSecret: () =>
    z
      .string()
      .optional()
      .transform((value) => (value === '' ? undefined : value))
      .superRefine((value, context) => {
        const weakness = value === undefined ? undefined : weaknessOfSecret(value);
        if (weakness) context.addIssue({ code: 'custom', message: weakness });
      }),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/** The variables every service shares: logging and Redis. */
export const commonConfigShape = {
  LOG_LEVEL: env.logLevel(),
  REDIS_URL: env.url('redis://127.0.0.1:6379', ['redis:', 'rediss:']),
  /** Namespaces every Redis key (and BullMQ queue) so test runs and deployments never collide. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]*$/, 'letters, digits, ":", "_" and "-" only').default('dishpatch:'),
  /**
   * The address a subgraph (or the worker's health server) listens on. Every interface by
   * default, as a container needs; `npm start` sets 127.0.0.1 so only the gateway is reachable
   * from other machines.
   */
  LISTEN_HOST: z.string().min(1).default('0.0.0.0'),
};

/**
 * The secret the gateway sends with every subgraph request and the subgraphs require. Optional
 * in the schema so that commands which serve nothing (migrate, create-manager) run without it;
 * whatever serves or calls GraphQL takes it through `requireSecret`.
 */
export const sharedSecretConfigShape = {
  SUBGRAPH_SHARED_SECRET: env.optionalSecret(),
};

/**
 * The shared secret, or a ConfigError naming the variable: required in every environment,
 * since a subgraph without it would answer anyone (npm start and the tests make their own).
 */
export function requireSharedSecret(config: { SUBGRAPH_SHARED_SECRET?: string | undefined }): string {
  const secret = config.SUBGRAPH_SHARED_SECRET;
  if (secret === undefined) {
    throw new ConfigError(
      'Invalid configuration:\n  SUBGRAPH_SHARED_SECRET: required; the gateway and the subgraphs must share one ' +
        '(32 random bytes, e.g. openssl rand -base64 32; npm start makes one)',
    );
  }
  return secret;
}

/**
 * A subgraph's own request limits, a second line behind the gateway's: looser than the
 * gateway's defaults (its subgraph queries add `_entities`, an inline fragment, keys and
 * `__typename`s to what the client asked), so only a request that did not come through the
 * gateway runs into them. Raise them with the gateway's.
 */
export const subgraphLimitsConfigShape = {
  SUBGRAPH_MAX_DEPTH: env.positiveInt(20, 200),
  SUBGRAPH_MAX_ALIASES: env.intInRange(30, 0, 2000),
  SUBGRAPH_MAX_DIRECTIVES: env.intInRange(100, 0, 2000),
  SUBGRAPH_MAX_TOKENS: env.positiveInt(20_000, 1_000_000),
  SUBGRAPH_MAX_COST: env.positiveInt(100_000, 100_000_000),
};
