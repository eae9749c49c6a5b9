import { generateKeyPairSync } from 'node:crypto';
import { GATEWAY_SECRET_HEADER, generateSharedSecret } from '@dishpatch/shared/http';
import type { Logger } from '@dishpatch/shared/observability';
import { createTestDatabase, createTestRedis, testLogger, type TestDatabase, type TestRedis } from '@dishpatch/shared/testing';
import { buildAuthApp, type AuthApp } from '../src/app.js';
import { loadAuthConfig, type AuthConfig } from '../src/config.js';

export interface GraphQLError {
  message: string;
  extensions: Record<string, unknown> & { code: string };
}
export interface GraphQLResponse<TData = Record<string, unknown>> {
  data?: TData | null;
  errors?: GraphQLError[];
}

export interface AuthPayload {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  user: { id: string; username: string; email: string | null; role: string; createdAt: string };
}

export function newPrivateKeyPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/**
 * The auth configuration every test starts from: fast bcrypt, a fresh signing key, quiet logs,
 * and the gateway's secret that the test sends like the gateway does. `env` overrides.
 */
export function testAuthConfig(
  storage: { databaseUrl: string; redisUrl: string; redisPrefix: string; secret: string },
  env: Record<string, string> = {},
): AuthConfig {
  return loadAuthConfig({
    AUTH_DATABASE_URL: storage.databaseUrl,
    REDIS_URL: storage.redisUrl,
    REDIS_PREFIX: storage.redisPrefix,
    BCRYPT_ROUNDS: '4',
    BCRYPT_ALLOW_WEAK_ROUNDS: 'true',
    // Tests register many users from 127.0.0.1; the registration limit has its own test.
    REGISTRATION_MAX_PER_ADDRESS: '1000000',
    AUTH_PRIVATE_KEY: newPrivateKeyPem(),
    SUBGRAPH_SHARED_SECRET: storage.secret,
    LOG_LEVEL: 'silent',
    ...env,
  });
}

/** A real auth subgraph on port 0, with its own database and Redis prefix. */
export class AuthHarness {
  url = '';
  config!: AuthConfig;
  app!: AuthApp;
  private database: TestDatabase | undefined;
  private redis: TestRedis | undefined;
  private ownsStorage = true;

  /** `shareStorageWith` runs a second app (e.g. with a rotated key) on the same database and Redis prefix. */
  async start(
    options: { env?: Record<string, string>; logger?: Logger; label?: string; shareStorageWith?: AuthHarness } = {},
  ): Promise<this> {
    if (options.shareStorageWith) {
      this.database = options.shareStorageWith.database;
      this.redis = options.shareStorageWith.redis;
      this.ownsStorage = false;
    } else {
      this.database = await createTestDatabase(options.label ?? 'auth');
      this.redis = createTestRedis(options.label ?? 'auth');
    }
    this.config = testAuthConfig(
      { databaseUrl: this.database!.url, redisUrl: this.redis!.url, redisPrefix: this.redis!.prefix, secret: generateSharedSecret() },
      options.env,
    );
    this.app = await buildAuthApp({ config: this.config, logger: options.logger ?? testLogger });
    await this.app.migrate();
    this.url = `http://127.0.0.1:${await this.app.http.listen(0, '127.0.0.1')}`;
    return this;
  }

  get databaseUrl(): string {
    return this.database!.url;
  }

  async stop(): Promise<void> {
    await this.app?.close();
    if (this.ownsStorage) {
      await this.database?.drop();
      await this.redis?.cleanup();
    }
  }

  async graphql<TData = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    options: { token?: string; headers?: Record<string, string> } = {},
  ): Promise<GraphQLResponse<TData>> {
    const response = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [GATEWAY_SECRET_HEADER]: this.config.SUBGRAPH_SHARED_SECRET!,
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<TData>;
  }

  /** The data of a call that must succeed; fails the test with the errors otherwise. */
  async ok<TData = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    options: { token?: string; headers?: Record<string, string> } = {},
  ): Promise<TData> {
    const result = await this.graphql<TData>(query, variables, options);
    if (result.errors || !result.data) throw new Error(`expected success, got ${JSON.stringify(result.errors)}`);
    return result.data;
  }

  async register(username: string, options: { email?: string; password?: string; headers?: Record<string, string> } = {}) {
    const data = await this.ok<{ register: AuthPayload }>(REGISTER, {
      input: { username, email: options.email ?? `${username}@example.com`, password: options.password ?? 'correct horse battery' },
    }, { headers: options.headers ?? {} });
    return data.register;
  }
}

const PAYLOAD = `accessToken accessTokenExpiresAt refreshToken user { id username email role createdAt }`;
export const REGISTER = `mutation Register($input: RegisterInput!) { register(input: $input) { ${PAYLOAD} } }`;
export const LOGIN = `mutation Login($input: LoginInput!) { login(input: $input) { ${PAYLOAD} } }`;
export const REFRESH = `mutation Refresh($refreshToken: String!) { refreshSession(refreshToken: $refreshToken) { ${PAYLOAD} } }`;
export const LOGOUT = `mutation { logout }`;
export const ME = `{ me { id username email role createdAt } }`;

/** The single error of a failed call. */
export function errorOf(result: GraphQLResponse<unknown>): GraphQLError {
  if (!result.errors || result.errors.length !== 1) throw new Error(`expected one error, got ${JSON.stringify(result)}`);
  return result.errors[0]!;
}
