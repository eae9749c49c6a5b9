import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { SessionRevocationList, TokenVerifier } from '@dishpatch/shared/tokens';
import { testLogger, waitFor } from '@dishpatch/shared/testing';
import { AuthHarness, ME, REFRESH, errorOf, type AuthPayload } from './harness.js';

const PROMOTE = `mutation($userId: ID!) { promoteToManager(userId: $userId) { id role } }`;
const SET_ROLE = `mutation($userId: ID!, $role: Role!) { setUserRole(userId: $userId, role: $role) { id role } }`;
const USERS = `{ users(first: 1) { totalCount } }`;

function roleClaimOf(accessToken: string): string {
  return (JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as { role: string }).role;
}

/** promoteToManager and setUserRole take effect at once: tokens issued before the change are refused everywhere. */
describe('role changes take effect at once', () => {
  const auth = new AuthHarness();
  const connections: Redis[] = [];
  let revocations: SessionRevocationList;
  /** Another subgraph's verifier: the JWKS over HTTP and the shared revocation list over Redis. */
  let elsewhere: TokenVerifier;
  let boss: AuthPayload;

  before(async () => {
    await auth.start({ label: 'role_changes' });
    const connect = () => {
      const connection = new Redis(auth.config.REDIS_URL);
      connections.push(connection);
      return connection;
    };
    revocations = new SessionRevocationList(connect(), connect(), auth.config.REDIS_PREFIX, testLogger);
    elsewhere = new TokenVerifier({
      jwksUrl: `${auth.url}/.well-known/jwks.json`,
      isRevoked: (token) => revocations.isRevoked(token),
      logger: testLogger,
    });
    const registered = await auth.register('boss');
    await auth.app.dataSource.query(`UPDATE users SET role = 'MANAGER' WHERE id = $1`, [registered.user.id]);
    boss = (await auth.ok<{ refreshSession: AuthPayload }>(REFRESH, { refreshToken: registered.refreshToken })).refreshSession;
  });
  after(async () => {
    revocations.close();
    for (const connection of connections) connection.disconnect();
    await auth.stop();
  });

  /** Waits (up to a second, the contract's bound, plus slack for a busy machine) until auth and the other verifier refuse the token. */
  async function refusedEverywhere(token: string): Promise<void> {
    const code = await waitFor('auth to refuse the old token', async () => (await auth.graphql(ME, {}, { token })).errors?.[0]?.extensions.code, 3000);
    assert.equal(code, 'UNAUTHENTICATED');
    await waitFor('the other subgraph to refuse the old token', async () => ((await elsewhere.authenticate(`Bearer ${token}`)).viewer === null ? true : undefined), 3000);
  }

  it('a promotion refuses the tokens issued before it; the next refreshes (many at once) carry MANAGER', async () => {
    const user = await auth.register('rising');
    assert.ok((await elsewhere.authenticate(`Bearer ${user.accessToken}`)).viewer);
    const promoted = await auth.ok<{ promoteToManager: { role: string } }>(PROMOTE, { userId: user.user.id }, { token: boss.accessToken });
    assert.equal(promoted.promoteToManager.role, 'MANAGER');
    await refusedEverywhere(user.accessToken);

    const refreshes = await Promise.all(
      Array.from({ length: 8 }, () => auth.graphql<{ refreshSession: AuthPayload }>(REFRESH, { refreshToken: user.refreshToken })),
    );
    for (const refreshed of refreshes) {
      assert.equal(refreshed.errors, undefined, JSON.stringify(refreshed.errors));
      const pair = refreshed.data!.refreshSession;
      assert.equal(roleClaimOf(pair.accessToken), 'MANAGER');
      assert.equal((await elsewhere.authenticate(`Bearer ${pair.accessToken}`)).viewer?.role, 'MANAGER', 'the new token is accepted at once');
      assert.equal((await auth.ok<{ users: { totalCount: number } }>(USERS, {}, { token: pair.accessToken })).users.totalCount > 0, true);
    }
    const [row] = await auth.app.dataSource.query(`SELECT tokens_valid_after FROM users WHERE id = $1`, [user.user.id]);
    assert.ok(row.tokens_valid_after, 'the database keeps the cut-off');
  });

  it('a demoted manager loses the user list at once, even with the token from before', async () => {
    const second = await auth.register('second');
    await auth.ok(PROMOTE, { userId: second.user.id }, { token: boss.accessToken });
    const asManager = (await auth.ok<{ refreshSession: AuthPayload }>(REFRESH, { refreshToken: second.refreshToken })).refreshSession;
    assert.ok((await auth.ok<{ users: { totalCount: number } }>(USERS, {}, { token: asManager.accessToken })).users);

    await auth.ok(SET_ROLE, { userId: second.user.id, role: 'CUSTOMER' }, { token: boss.accessToken });
    await refusedEverywhere(asManager.accessToken);
    assert.equal(errorOf(await auth.graphql(USERS, {}, { token: asManager.accessToken })).extensions.code, 'UNAUTHENTICATED');
    const after = (await auth.ok<{ refreshSession: AuthPayload }>(REFRESH, { refreshToken: asManager.refreshToken })).refreshSession;
    assert.equal(roleClaimOf(after.accessToken), 'CUSTOMER');
    assert.equal(errorOf(await auth.graphql(USERS, {}, { token: after.accessToken })).extensions.code, 'FORBIDDEN');
  });

  it('setting the role a user already has cuts nothing off', async () => {
    const same = await auth.register('unchanged');
    await auth.ok(SET_ROLE, { userId: same.user.id, role: 'CUSTOMER' }, { token: boss.accessToken });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await auth.ok<{ me: { id: string } }>(ME, {}, { token: same.accessToken })).me.id, same.user.id);
  });
});
