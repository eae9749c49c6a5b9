import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import { createErrorFormatter } from '@dishpatch/shared/errors';
import { HttpService, healthRoutes } from '@dishpatch/shared/http';
import { Closer } from '@dishpatch/shared/lifecycle';
import { ServiceMetrics, type Logger } from '@dishpatch/shared/observability';
import { RedisConnections } from '@dishpatch/shared/redis';
import { SessionRevocationList, TokenVerifier } from '@dishpatch/shared/tokens';
import type { AuthConfig } from './config.js';
import { createContextFactory, type AuthContext } from './context.js';
import { createAuthDataSource, migrateAuthDatabase } from './data-source.js';
import { resolvers } from './resolvers/index.js';
import { LoginRateLimiter } from './services/login-rate-limiter.js';
import { PasswordHasher } from './services/passwords.js';
import { SessionService } from './services/session-service.js';
import { UserService } from './services/user-service.js';
import { loadSigningKeys } from './signing-keys.js';

const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

export interface AuthApp {
  http: HttpService<AuthContext>;
  /** The auth database, for commands and tests that inspect what was written. */
  dataSource: DataSource;
  /** Brings the database to the latest schema (under an advisory lock); returns the migrations run. */
  migrate(): Promise<string[]>;
  /** Stops the server, Redis and the database in that order; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Builds the auth subgraph without listening: `index.ts` listens on AUTH_PORT, tests on port 0.
 * Auth verifies its own tokens like every subgraph (signature, expiry, revocation), but with the
 * keys it holds rather than by fetching its own JWKS.
 */
export async function buildAuthApp(config: AuthConfig, logger: Logger): Promise<AuthApp> {
  const closer = new Closer(logger);
  try {
    const keys = await loadSigningKeys({
      privateKeyPem: config.AUTH_PRIVATE_KEY,
      privateKeyFile: config.AUTH_PRIVATE_KEY_FILE,
      additionalPublicKeysFile: config.AUTH_ADDITIONAL_PUBLIC_KEYS_FILE,
      dataDir: config.AUTH_DATA_DIR,
    });

    const dataSource = createAuthDataSource({ url: config.AUTH_DATABASE_URL });
    await dataSource.initialize();
    closer.add('database', () => dataSource.destroy());

    const redisConnections = new RedisConnections(config.REDIS_URL, logger);
    closer.add('redis', () => redisConnections.close());
    const redis = redisConnections.open('commands');
    const subscriber = redisConnections.open('revocation subscriber');
    const revocations = new SessionRevocationList(redis, subscriber, config.REDIS_PREFIX, logger);
    closer.add('revocation list', () => revocations.close());

    const metrics = new ServiceMetrics('auth-subgraph');
    const logins = new Counter({
      name: 'auth_logins_total',
      help: 'Login attempts by outcome',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });

    const users = new UserService(dataSource, new PasswordHasher(config.BCRYPT_ROUNDS));
    const sessions = new SessionService({
      dataSource,
      redis,
      redisPrefix: config.REDIS_PREFIX,
      users,
      keys,
      rateLimiter: new LoginRateLimiter(redis, config.REDIS_PREFIX, {
        maxFailuresPerEmail: config.LOGIN_MAX_FAILURES_PER_EMAIL,
        maxFailuresPerAddress: config.LOGIN_MAX_FAILURES_PER_ADDRESS,
        windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
      }),
      accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
      logger,
      onLogin: (outcome) => logins.inc({ outcome }),
    });
    const verifier = new TokenVerifier({
      localKeys: keys.verificationKeys,
      isSessionRevoked: (sessionId) => revocations.isRevoked(sessionId),
      logger,
    });

    const apollo = new ApolloServer<AuthContext>({
      schema: buildSubgraphSchema({ typeDefs, resolvers }),
      formatError: createErrorFormatter(logger),
      includeStacktraceInErrorResponses: false,
      logger,
      plugins: [ApolloServerPluginInlineTraceDisabled()],
      stopOnTerminationSignals: false, // closeOnSignals drains and exits 0; Apollo's handler would re-send the signal (exit 1)
    });
    await apollo.start();
    closer.add('apollo', () => apollo.stop());

    const http = new HttpService<AuthContext>({
      apollo,
      context: createContextFactory({ verifier, users, sessions }),
      logger,
      metrics,
      routes: {
        ...healthRoutes({
          checks: { database: () => dataSource.query('SELECT 1'), redis: () => redis.ping() },
          metrics,
          logger,
        }),
        'GET /.well-known/jwks.json': () => ({
          status: 200,
          body: JSON.stringify(keys.jwks),
          headers: { 'cache-control': 'public, max-age=300' },
        }),
      },
    });
    closer.add('http server', () => http.close());

    return { http, dataSource, migrate: () => migrateAuthDatabase(dataSource), close: () => closer.close() };
  } catch (error) {
    await closer.close();
    throw error;
  }
}
