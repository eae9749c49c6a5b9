import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { SessionRevocationList, TokenVerifier, revocationsPublishedKey } from '@dishpatch/shared/tokens';
import { testLogger, waitFor } from '@dishpatch/shared/testing';
import { AuthHarness, LOGOUT, ME } from './harness.js';

/** The database is the record of revocations, Redis the fast path: losing Redis's data must not bring a logged-out token back. */
describe('revocations survive Redis losing its data', () => {
  const auth = new AuthHarness();
  let redis: Redis;
  const lists: SessionRevocationList[] = [];
  before(async () => {
    await auth.start({ label: 'revocation_durability' });
    redis = new Redis(auth.config.REDIS_URL);
  });
  after(async () => {
    for (const list of lists) list.close();
    redis.disconnect();
    await auth.stop();
  });

  /** A subgraph's verifier as it is right after a (re)start: empty memory, whatever Redis holds. */
  function freshVerifier(): { verifier: TokenVerifier; close: () => void } {
    const commands = new Redis(auth.config.REDIS_URL);
    const subscriber = new Redis(auth.config.REDIS_URL);
    const list = new SessionRevocationList(commands, subscriber, auth.config.REDIS_PREFIX, testLogger);
    lists.push(list);
    const verifier = new TokenVerifier({ jwksUrl: `${auth.url}/.well-known/jwks.json`, isRevoked: (token) => list.isRevoked(token), logger: testLogger });
    return { verifier, close: () => (list.close(), commands.disconnect(), subscriber.disconnect()) };
  }

  /** Deletes this test's keys only (never FLUSHALL: other tests share this Redis). */
  async function flushOurKeys(): Promise<number> {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${auth.config.REDIS_PREFIX}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  }

  it('a logged-out token stays refused after a flush of Redis and a restart of the verifier', async () => {
    const user = await auth.register('durable');
    const header = `Bearer ${user.accessToken}`;
    await auth.ok(LOGOUT, {}, { token: user.accessToken });
    await waitFor('auth to refuse the logged-out token', async () => ((await auth.graphql(ME, {}, { token: user.accessToken })).errors ? true : undefined), 3000);

    assert.ok((await flushOurKeys()) > 0, 'the revocation was in Redis');
    const restarted = freshVerifier();
    try {
      // Auth sees its marker gone and publishes again what its database holds (it checks every second).
      await waitFor('the revocation to be published again', async () => ((await redis.exists(revocationsPublishedKey(auth.config.REDIS_PREFIX))) === 1 ? true : undefined), 5000);
      const result = await waitFor('the restarted verifier to settle', async () => {
        const answer = await restarted.verifier.authenticate(header);
        return answer.viewer === null ? answer : undefined;
      }, 2000);
      assert.equal(result.problem, 'Session has been signed out');
    } finally {
      restarted.close();
    }
    const another = freshVerifier();
    try {
      assert.equal((await another.verifier.authenticate(header)).problem, 'Session has been signed out', 'and for a verifier started later');
      const stranger = await auth.register('unrelated');
      assert.ok((await another.verifier.authenticate(`Bearer ${stranger.accessToken}`)).viewer, 'other sessions are not affected');
    } finally {
      another.close();
    }
  });

  it('auth publishes what its database holds when it starts, too', async () => {
    const user = await auth.register('restartee');
    await auth.ok(LOGOUT, {}, { token: user.accessToken });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await flushOurKeys();
    const second = await new AuthHarness().start({ shareStorageWith: auth });
    try {
      await waitFor('the second auth to publish', async () => ((await redis.exists(revocationsPublishedKey(auth.config.REDIS_PREFIX))) === 1 ? true : undefined), 5000);
      const verifier = freshVerifier();
      try {
        assert.equal((await verifier.verifier.authenticate(`Bearer ${user.accessToken}`)).problem, 'Session has been signed out');
      } finally {
        verifier.close();
      }
    } finally {
      await second.stop();
    }
  });
});
