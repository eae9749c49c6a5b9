import { createPublicKey, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { pino } from 'pino';
import {
  revokedSessionKey,
  sessionRevocationChannel,
  sessionRevocationMessage,
  userTokensCutoffKey,
  userTokensCutoffMessage,
} from '../tokens/session-revocation-list.js';
import { TOKEN_ALGORITHM, TOKEN_AUDIENCE, TOKEN_ISSUER, type Role, type Viewer } from '../tokens/token-verifier.js';

/** The machine's PostgreSQL that tests use (trust auth); override with TEST_DATABASE_ADMIN_URL. */
export const TEST_ADMIN_DATABASE_URL = process.env['TEST_DATABASE_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A quiet logger for tests; set TEST_LOG_LEVEL=debug to see what the services log. */
export const testLogger = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });

function uniqueSuffix(): string {
  return `${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates a fresh, empty database for one test run; `drop()` removes it even with open connections. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `dishpatch_test_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${uniqueSuffix()}`;
  const admin = new pg.Client({ connectionString: TEST_ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: TEST_ADMIN_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface TestRedis {
  url: string;
  /** Every key this run writes starts with it. */
  prefix: string;
  /** Deletes every key under the prefix. */
  cleanup(): Promise<void>;
}

export function createTestRedis(label: string): TestRedis {
  const prefix = `dishpatch-test:${label}:${uniqueSuffix()}:`;
  return {
    url: TEST_REDIS_URL,
    prefix,
    async cleanup() {
      const redis = new Redis(TEST_REDIS_URL);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) await redis.del(...keys);
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}

// Test stand-ins for the issuer. Production signing and revocation publishing live in the auth
// subgraph (auth-subgraph/src/tokens/), which shared must not depend on; services that only
// verify still need tokens and revocations in their tests. So this file keeps the smallest
// issuer that writes the same format: the constants come from @dishpatch/shared/tokens, and
// auth's own tests check its production signer and publisher against the shared verifier.

/** An ES256 key as a test issuer holds it. */
export interface TestSigningKey {
  kid: string;
  privateKey: KeyObject;
}

export function createTestSigningKey(kid = `test-${randomBytes(4).toString('hex')}`): TestSigningKey {
  return { kid, privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey };
}

/** The key's public half as a JWKS entry, the way auth publishes it. */
export function testJwkOf(key: TestSigningKey): Record<string, unknown> {
  const jwk = createPublicKey(key.privateKey).export({ format: 'jwk' });
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid: key.kid, alg: TOKEN_ALGORITHM, use: 'sig' };
}

/** An access token in auth's format (`iat` in ms precision); a negative `ttlSeconds` makes one that has already expired. */
export function signTestAccessToken(key: TestSigningKey, viewer: Viewer, ttlSeconds: number): string {
  const iat = Date.now() / 1000;
  return jwt.sign({ role: viewer.role, sid: viewer.sessionId, iat, exp: Math.floor(iat) + ttlSeconds }, key.privateKey, {
    algorithm: TOKEN_ALGORITHM,
    keyid: key.kid,
    subject: viewer.userId,
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
  });
}

/** Revokes a session the way auth's publisher does, for tests of services that only read revocations. */
export async function revokeTestSession(redis: Redis, prefix: string, sessionId: string, ttlSeconds: number): Promise<void> {
  const seconds = Math.max(1, Math.ceil(ttlSeconds));
  const expiresAt = Date.now() + seconds * 1000;
  await redis
    .multi()
    .set(revokedSessionKey(prefix, sessionId), String(expiresAt), 'EX', seconds)
    .publish(sessionRevocationChannel(prefix), sessionRevocationMessage(sessionId, expiresAt))
    .exec();
}

/** Cuts off a user's earlier tokens the way auth does on a role change, for tests of services that only verify. */
export async function cutOffTestUserTokens(redis: Redis, prefix: string, userId: string, validAfterMs: number, ttlSeconds: number): Promise<void> {
  const expiresAt = Date.now() + ttlSeconds * 1000;
  await redis
    .multi()
    .set(userTokensCutoffKey(prefix, userId), String(validAfterMs), 'EX', ttlSeconds)
    .publish(sessionRevocationChannel(prefix), userTokensCutoffMessage(userId, validAfterMs, expiresAt))
    .exec();
}

/**
 * A stand-in token issuer for services that only verify tokens: an ES256 key served as a
 * JWKS on a local port, and a signer using the same token format as the auth subgraph.
 */
export class TestIssuer {
  readonly key = createTestSigningKey();
  private server: Server | undefined;
  jwksUrl = '';

  async start(): Promise<this> {
    const body = JSON.stringify({ keys: [testJwkOf(this.key)] });
    this.server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.jwksUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
    return this;
  }

  /** A valid access token for a (by default new) user with the given role. */
  token(role: Role, options: { userId?: string; sessionId?: string; ttlSeconds?: number } = {}): string {
    return signTestAccessToken(
      this.key,
      { userId: options.userId ?? randomUUID(), role, sessionId: options.sessionId ?? randomUUID() },
      options.ttlSeconds ?? 900,
    );
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * A TypeORM logger that records every statement a data source sends, so a test or a benchmark
 * counts statements by measuring them rather than by taking the code's word for it.
 */
export class StatementCounter implements TypeOrmLogger {
  statements: string[] = [];
  logQuery(query: string): void {
    this.statements.push(query);
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

export { activeResources, resourcesLeftSince } from './active-resources.js';
export { CuttableProxy, createCuttableTestStorage, type CuttableTestStorage } from './cuttable-proxy.js';
export { waitFor } from './wait-for.js';
