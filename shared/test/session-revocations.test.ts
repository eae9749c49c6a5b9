import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { SessionRevocationList, TokenVerifier } from '@dishpatch/shared/tokens';
import { CuttableProxy, TestIssuer, createTestRedis, revokeTestSession, testLogger, type TestRedis } from '@dishpatch/shared/testing';

/** Polls until `check` holds or a second has passed; the contract's bound for revocation. */
async function withinOneSecond(check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + 1000;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('session revocation list', () => {
  let redis: TestRedis;
  const issuer = new TestIssuer();
  const connections: Redis[] = [];
  const lists: SessionRevocationList[] = [];

  const connect = () => {
    const connection = new Redis(redis.url);
    connections.push(connection);
    return connection;
  };
  const newList = (prefix = redis.prefix) => {
    const list = new SessionRevocationList(connect(), connect(), prefix, testLogger);
    lists.push(list);
    return list;
  };
  const verifierWith = (list: SessionRevocationList) =>
    new TokenVerifier({ jwksUrl: issuer.jwksUrl, isRevoked: (token) => list.isRevoked(token), logger: testLogger });
  const publisher = () => connect();
  /** What the verifier asks about a token of this session (of some user, issued now). */
  const tokenOf = (sessionId: string) => ({ sessionId, userId: randomUUID(), issuedAtMs: Date.now() });

  before(async () => {
    redis = createTestRedis('revocations');
    await issuer.start();
  });
  after(async () => {
    for (const list of lists) list.close();
    for (const connection of connections) connection.disconnect();
    await issuer.stop();
    await redis.cleanup();
  });

  it('a running verifier refuses a revoked session within a second (pub/sub)', async () => {
    const list = newList();
    const verifier = verifierWith(list);
    const sessionId = randomUUID();
    const header = `Bearer ${issuer.token('CUSTOMER', { sessionId })}`;
    assert.ok((await verifier.authenticate(header)).viewer, 'accepted before the revocation');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await revokeTestSession(publisher(), redis.prefix, sessionId, 900);
    assert.ok(await withinOneSecond(async () => (await verifier.authenticate(header)).viewer === null));
    assert.equal((await verifier.authenticate(header)).problem, 'Session has been signed out');
    assert.ok((await verifier.authenticate(`Bearer ${issuer.token('CUSTOMER')}`)).viewer, 'other sessions are unaffected');
  });

  it('a verifier that starts after the revocation refuses it too, before and after it has synchronized', async () => {
    const sessionId = randomUUID();
    await revokeTestSession(publisher(), redis.prefix, sessionId, 900);
    const list = newList();
    const verifier = verifierWith(list);
    const header = `Bearer ${issuer.token('CHEF', { sessionId })}`;
    assert.equal((await verifier.authenticate(header)).viewer, null, 'straight away');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await verifier.authenticate(header)).viewer, null, 'from the synchronized list');
    assert.equal(await list.isRevoked(tokenOf(randomUUID())), false);
  });

  it('keeps a revocation only as long as its tokens can live', async () => {
    const sessionId = randomUUID();
    const list = newList();
    await revokeTestSession(publisher(), redis.prefix, sessionId, 1);
    assert.ok(await withinOneSecond(() => list.isRevoked(tokenOf(sessionId))));
    const ttl = await connect().pttl(`${redis.prefix}revoked-session:${sessionId}`);
    assert.ok(ttl > 0 && ttl <= 1000, `the record expires (pttl ${ttl})`);
  });

  it('does not see revocations under another prefix', async () => {
    const sessionId = randomUUID();
    const elsewhere = newList(`${redis.prefix}other:`);
    await revokeTestSession(publisher(), redis.prefix, sessionId, 900);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await elsewhere.isRevoked(tokenOf(sessionId)), false);
  });

  it('fails closed when Redis cannot be asked', async () => {
    const offline = new Redis('redis://127.0.0.1:1', { enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
    const subscriber = new Redis('redis://127.0.0.1:1', { enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
    const list = new SessionRevocationList(offline, subscriber, redis.prefix, testLogger);
    try {
      const result = await verifierWith(list).authenticate(`Bearer ${issuer.token('CUSTOMER')}`);
      assert.equal(result.viewer, null);
      assert.match(String(result.problem), /Could not verify the session/);
    } finally {
      list.close();
      offline.disconnect();
      subscriber.disconnect();
    }
  });

  it('during a Redis outage, revocations seen before it stay refused and other tokens fail closed, fast', async () => {
    const proxy = await new CuttableProxy({ host: new URL(redis.url).hostname, port: Number(new URL(redis.url).port || 6379) }).start();
    const viaProxy = () => {
      const connection = new Redis(proxy.port, '127.0.0.1');
      connection.on('error', () => {});
      connections.push(connection);
      return connection;
    };
    const list = new SessionRevocationList(viaProxy(), viaProxy(), redis.prefix, testLogger);
    lists.push(list);
    const verifier = verifierWith(list);
    try {
      const sessionId = randomUUID();
      const revokedHeader = `Bearer ${issuer.token('CUSTOMER', { sessionId })}`;
      await new Promise((resolve) => setTimeout(resolve, 200));
      await revokeTestSession(publisher(), redis.prefix, sessionId, 900);
      assert.ok(await withinOneSecond(async () => (await verifier.authenticate(revokedHeader)).viewer === null));

      proxy.cut();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      const revoked = await verifier.authenticate(revokedHeader);
      assert.equal(revoked.problem, 'Session has been signed out', 'known before the outage: still refused as signed out');
      const other = await verifier.authenticate(`Bearer ${issuer.token('CUSTOMER')}`);
      assert.equal(other.viewer, null, 'fails closed');
      assert.equal(other.unavailableService, 'redis', 'and says Redis is down');
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 3000, `answered in ${elapsed} ms, not after a hang`);
      console.log(`# outage: revoked token refused, unknown token SERVICE_UNAVAILABLE(redis), both in ${elapsed} ms`);
    } finally {
      await proxy.stop();
    }
  });
});
