import { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { HttpService } from '@dishpatch/shared/http';
import { ServiceMetrics, type Logger } from '@dishpatch/shared/observability';
import { buildClosable, buildSubgraphHttp, connectTokenVerification, createContextFactory, readSubgraphSchema } from '@dishpatch/shared/subgraph';
import { passwordWorkQueueOf, type AuthConfig } from './config.js';
import { clientInfoOf, createLoaders, type AuthContext, type AuthServices } from './context.js';
import { createAuthDataSource, runAuthMigrations } from './data-source.js';
import { resolvers } from './resolvers/index.js';
import { LoginRateLimiter, RegistrationRateLimiter } from './sessions/login-rate-limiter.js';
import { SessionService } from './sessions/session-service.js';
import { RevocationPublisher } from './tokens/session-revocation-publisher.js';
import { loadSigningKeys } from './tokens/signing-keys.js';
import { PasswordHasher } from './users/passwords.js';
import { UserService } from './users/user-service.js';

const typeDefs = readSubgraphSchema(new URL('./schema.graphql', import.meta.url));

export interface AuthAppOptions {
  config: AuthConfig;
  logger: Logger;
}

export interface AuthApp {
  http: HttpService<AuthContext>;
  /** The auth database, for commands and tests that inspect what was written. */
  dataSource: DataSource;
  metrics: ServiceMetrics;
  /** Brings the database to the latest schema (under an advisory lock), then starts publishing revocations; returns the migrations run. */
  migrate(): Promise<string[]>;
  /** Stops the server, Redis and the database in that order; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Builds the auth subgraph without listening: `index.ts` migrates and listens on AUTH_PORT,
 * tests on port 0. Auth verifies its own tokens like every subgraph (signature, expiry,
 * revocation), but with the keys it holds rather than by fetching its own JWKS.
 */
export function buildAuthApp(options: AuthAppOptions): Promise<AuthApp> {
  const { config, logger } = options;
  return buildClosable(logger, async (closer) => {
    const keys = await loadSigningKeys({
      privateKeyPem: config.AUTH_PRIVATE_KEY,
      privateKeyFile: config.AUTH_PRIVATE_KEY_FILE,
      additionalPublicKeysFile: config.AUTH_ADDITIONAL_PUBLIC_KEYS_FILE,
      dataDir: config.AUTH_DATA_DIR,
    });

    const dataSource = createAuthDataSource({ url: config.AUTH_DATABASE_URL, timeouts: config.databaseTimeouts });
    await dataSource.initialize();
    closer.add('database', () => dataSource.destroy());

    const { redis, verifier } = connectTokenVerification({
      redisUrl: config.REDIS_URL,
      redisPrefix: config.REDIS_PREFIX,
      keys: { localKeys: keys.verificationKeys },
      logger,
      closer,
    });

    const metrics = new ServiceMetrics('auth-subgraph');
    const logins = new Counter({
      name: 'auth_logins_total',
      help: 'Login attempts by outcome',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });

    const revocations = new RevocationPublisher({
      redis,
      prefix: config.REDIS_PREFIX,
      dataSource,
      accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      logger,
    });
    closer.add('revocation publisher', () => revocations.close());

    const users = new UserService(dataSource, new PasswordHasher(config.BCRYPT_ROUNDS, passwordWorkQueueOf(config)), revocations);
    const services: AuthServices = {
      users,
      sessions: new SessionService({
        dataSource,
        revocations,
        users,
        keys,
        rateLimiter: new LoginRateLimiter(redis, config.REDIS_PREFIX, {
          maxFailuresPerEmailAndAddress: config.LOGIN_MAX_FAILURES_PER_EMAIL_AND_ADDRESS,
          maxFailuresPerAddress: config.LOGIN_MAX_FAILURES_PER_ADDRESS,
          windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
        }),
        registrationLimiter: new RegistrationRateLimiter(redis, config.REDIS_PREFIX, {
          maxPerAddress: config.REGISTRATION_MAX_PER_ADDRESS,
          windowSeconds: config.REGISTRATION_WINDOW_SECONDS,
        }),
        accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
        refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
        refreshTokenReuseGraceSeconds: config.REFRESH_TOKEN_REUSE_GRACE_SECONDS,
        logger,
        onLogin: (outcome) => logins.inc({ outcome }),
      }),
    };

    const http = buildSubgraphHttp<AuthContext>({
      boundary: config,
      typeDefs,
      resolvers,
      context: createContextFactory({ verifier, services, createLoaders, fromRequest: (req) => ({ client: clientInfoOf(req) }) }),
      logger,
      metrics,
      closer,
      readinessChecks: { database: () => dataSource.query('SELECT 1'), redis: () => redis.ping() },
      routes: {
        'GET /.well-known/jwks.json': () => ({
          status: 200,
          body: JSON.stringify(keys.jwks),
          headers: { 'cache-control': 'public, max-age=300' },
        }),
      },
    });

    const migrate = async () => {
      const applied = await runAuthMigrations(dataSource);
      // The publisher reads `sessions` and `users`: started before the schema exists, its first
      // re-publish on a new database fails (and is retried) with "relation does not exist".
      revocations.start();
      return applied;
    };
    return { http, dataSource, metrics, migrate };
  });
}
