import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { SessionRevocationList, TokenVerifier } from '@dishpatch/shared/tokens';
import { testLogger, waitFor } from '@dishpatch/shared/testing';
import { AuthHarness, LOGOUT, ME, REFRESH, errorOf, type AuthPayload } from './harness.js';

function sessionClaimOf(accessToken: string): string {
  return (JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;
}

function roleClaimOf(accessToken: string): string {
  return (JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as { role: string }).role;
}

describe('sessions: refresh and logout', () => {
  const auth = new AuthHarness();
  // A short grace window, so that reuse after it can be tested without waiting 10 s.
  const GRACE_SECONDS = 1;
  const afterGrace = () => new Promise((resolve) => setTimeout(resolve, GRACE_SECONDS * 1000 + 300));
  before(() => auth.start({ label: 'sessions', env: { REFRESH_TOKEN_REUSE_GRACE_SECONDS: String(GRACE_SECONDS) } }));
  after(() => auth.stop());

  const refresh = (refreshToken: string) => auth.graphql<{ refreshSession: AuthPayload }>(REFRESH, { refreshToken });
  const me = async (token: string) => (await auth.ok<{ me: { id: string; role: string } | null }>(ME, {}, { token })).me;
  /** The code `me` answers once the revocation has reached auth's verifier (within a second). */
  const refusedCode = (token: string) =>
    waitFor('the token to be refused', async () => (await auth.graphql(ME, {}, { token })).errors?.[0]?.extensions.code, 2000);

  it('rotates: a new pair for the same session, and the old refresh token stops working', async () => {
    const first = await auth.register('rotor');
    const result = await refresh(first.refreshToken);
    assert.equal(result.errors, undefined);
    const second = result.data!.refreshSession;
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.notEqual(second.accessToken, first.accessToken);
    assert.equal(second.user.id, first.user.id);
    assert.equal(second.user.email, 'rotor@example.com');
    assert.equal((await me(second.accessToken))?.id, first.user.id);
    const third = await refresh(second.refreshToken);
    assert.equal(third.errors, undefined, 'the new token is good for one more rotation');
  });

  it('revokes the whole session when a used refresh token comes back after the grace window', async () => {
    const victim = await auth.register('victim');
    const stolen = victim.refreshToken;
    const rotated = (await refresh(stolen)).data!.refreshSession;
    await afterGrace();
    const reuse = errorOf(await refresh(stolen));
    assert.equal(reuse.extensions.code, 'UNAUTHENTICATED');
    assert.match(reuse.message, /already used/);
    assert.equal(errorOf(await refresh(rotated.refreshToken)).extensions.code, 'UNAUTHENTICATED', 'the rotated token dies too');
    assert.equal(await refusedCode(rotated.accessToken), 'UNAUTHENTICATED', 'and so does its access token');
    const [session] = await auth.app.dataSource.query(`SELECT revoked_at, revoked_reason FROM sessions WHERE user_id = $1`, [victim.user.id]);
    assert.ok(session.revoked_at);
    assert.equal(session.revoked_reason, 'REFRESH_TOKEN_REUSE');
  });

  it('parallel refreshes with one token within the grace window all succeed, with pairs of the same session', async () => {
    for (const parallel of [3, 10]) {
      const start = await auth.register(`parallel${parallel}`);
      const results = await Promise.all(Array.from({ length: parallel }, () => refresh(start.refreshToken)));
      for (const result of results) assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      const pairs = results.map((result) => result.data!.refreshSession);
      const sessions = new Set(pairs.map((pair) => sessionClaimOf(pair.accessToken)));
      assert.deepEqual([...sessions], [sessionClaimOf(start.accessToken)], 'one session');
      assert.equal(new Set(pairs.map((pair) => pair.refreshToken)).size, 1, 'every caller holds the same next refresh token');
      for (const pair of pairs) assert.equal((await me(pair.accessToken))?.id, start.user.id);
      const rows = await auth.app.dataSource.query(`SELECT revoked_at FROM sessions WHERE user_id = $1`, [start.user.id]);
      assert.equal(rows.length, 1);
      assert.equal(rows[0].revoked_at, null, 'nothing revoked');
      const next = await refresh(pairs[0]!.refreshToken);
      assert.equal(next.errors, undefined, 'the shared next token rotates on');
      console.log(`# race: ${parallel} parallel refreshes with one token -> ${pairs.length} pairs, ${sessions.size} session, none revoked`);
    }
  });

  it('a rotated-out token presented after the grace window revokes the session', async () => {
    const start = await auth.register('late-twin');
    const first = await refresh(start.refreshToken);
    assert.equal(first.errors, undefined);
    await afterGrace();
    const late = errorOf(await refresh(start.refreshToken));
    assert.equal(late.extensions.code, 'UNAUTHENTICATED');
    assert.match(late.message, /already used/);
    const [session] = await auth.app.dataSource.query(`SELECT revoked_reason FROM sessions WHERE user_id = $1`, [start.user.id]);
    assert.equal(session.revoked_reason, 'REFRESH_TOKEN_REUSE');
    assert.equal(errorOf(await refresh(first.data!.refreshSession.refreshToken)).extensions.code, 'UNAUTHENTICATED');
  });

  it('refuses garbage, unknown and expired refresh tokens', async () => {
    for (const token of ['', 'not a token', 'A'.repeat(43), 'x'.repeat(5000)]) {
      assert.equal(errorOf(await refresh(token)).extensions.code, 'UNAUTHENTICATED', token.slice(0, 20));
    }
    const expiring = await auth.register('expiring');
    await auth.app.dataSource.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [expiring.user.id]);
    assert.equal(errorOf(await refresh(expiring.refreshToken)).extensions.code, 'UNAUTHENTICATED');
  });

  it('takes the role from the database at refresh time', async () => {
    const user = await auth.register('soon-chef');
    await auth.app.dataSource.query(`UPDATE users SET role = 'CHEF' WHERE id = $1`, [user.user.id]);
    assert.equal(roleClaimOf(user.accessToken), 'CUSTOMER', 'the old token keeps its role');
    const refreshed = (await refresh(user.refreshToken)).data!.refreshSession;
    assert.equal(refreshed.user.role, 'CHEF');
    assert.equal(roleClaimOf(refreshed.accessToken), 'CHEF');
  });

  it('logout revokes the session: its refresh token stops, its access token is refused by auth', async () => {
    const user = await auth.register('leaver');
    const other = (await auth.graphql<{ login: AuthPayload }>(
      `mutation { login(input: { email: "leaver@example.com", password: "correct horse battery" }) { accessToken refreshToken } }`,
    )).data!.login;
    assert.deepEqual(await auth.ok(LOGOUT, {}, { token: user.accessToken }), { logout: true });
    assert.equal(await refusedCode(user.accessToken), 'UNAUTHENTICATED');
    const again = errorOf(await auth.graphql(LOGOUT, {}, { token: user.accessToken }));
    assert.equal(again.extensions.code, 'UNAUTHENTICATED');
    assert.match(again.message, /signed out/);
    assert.equal(errorOf(await refresh(user.refreshToken)).extensions.code, 'UNAUTHENTICATED');
    assert.equal((await me(other.accessToken))?.id, user.user.id, 'another session of the same user lives on');
    assert.equal((await refresh(other.refreshToken)).errors, undefined);
  });

  it('logout without a token is UNAUTHENTICATED', async () => {
    const error = errorOf(await auth.graphql(LOGOUT));
    assert.equal(error.extensions.code, 'UNAUTHENTICATED');
  });

  it('after logout, another subgraph refuses the access token within a second', async () => {
    const commands = new Redis(auth.config.REDIS_URL);
    const subscriber = new Redis(auth.config.REDIS_URL);
    const revocations = new SessionRevocationList(commands, subscriber, auth.config.REDIS_PREFIX, testLogger);
    const orders = new TokenVerifier({
      jwksUrl: `${auth.url}/.well-known/jwks.json`,
      isRevoked: (token) => revocations.isRevoked(token),
      logger: testLogger,
    });
    try {
      const user = await auth.register('elsewhere');
      const header = `Bearer ${user.accessToken}`;
      assert.equal((await orders.authenticate(header)).viewer?.userId, user.user.id);
      await auth.ok(LOGOUT, {}, { token: user.accessToken });
      const deadline = Date.now() + 1000;
      let refused = false;
      while (!refused && Date.now() < deadline) {
        refused = (await orders.authenticate(header)).viewer === null;
        if (!refused) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(refused, 'refused within a second');
      assert.equal((await orders.authenticate(header)).problem, 'Session has been signed out');
    } finally {
      revocations.close();
      commands.disconnect();
      subscriber.disconnect();
    }
  });
});
