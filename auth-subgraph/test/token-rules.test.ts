import assert from 'node:assert/strict';
import { createPrivateKey, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@dishpatch/shared/testing';
import { signAccessToken } from '../src/tokens/access-token-signer.js';
import { AuthHarness, LOGOUT, ME, REFRESH, errorOf, newPrivateKeyPem, type AuthPayload } from './harness.js';

/**
 * The rules an Apollo Client app relies on: no token is anonymous, but a token that is
 * expired, revoked, forged or malformed is UNAUTHENTICATED wherever the viewer is read, so
 * the client's refresh-on-UNAUTHENTICATED fires.
 */
describe('token rules: a bad token is never anonymous', () => {
  const auth = new AuthHarness();
  const privateKeyPem = newPrivateKeyPem();
  before(() => auth.start({ label: 'token_rules', env: { AUTH_PRIVATE_KEY: privateKeyPem } }));
  after(() => auth.stop());

  const USER_EMAIL = `query ($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { id email } } }`;

  async function badTokens(user: AuthPayload): Promise<Array<[string, string]>> {
    const [header, payload] = user.accessToken.split('.') as [string, string, string];
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'MANAGER' }),
    ).toString('base64url');
    // Signed with auth's own key (its kid is the thumbprint the JWKS lists), an hour ago.
    const kid = (JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string }).kid;
    const expired = signAccessToken(
      { kid, privateKey: createPrivateKey(privateKeyPem) },
      { userId: user.user.id, role: 'CUSTOMER', sessionId: randomUUID() },
      -3600,
    ).token;
    const loggedOut = await auth.register(`out${randomUUID().slice(0, 8)}`);
    await auth.ok(LOGOUT, {}, { token: loggedOut.accessToken });
    // A revocation reaches every verifier, auth's own included, within a second.
    await waitFor('the logout to be known', async () => ((await auth.graphql(ME, {}, { token: loggedOut.accessToken })).errors ? true : undefined), 2000);
    return [
      ['expired', expired],
      ['revoked (logged out)', loggedOut.accessToken],
      ['forged (payload changed)', `${header}.${forgedPayload}.${user.accessToken.split('.')[2]}`],
      ['malformed', 'a.b.c'],
      ['not a JWT at all', 'garbage'],
    ];
  }

  it('me is null without a token, the viewer with a good one, UNAUTHENTICATED with a bad one', async () => {
    const user = await auth.register('apollo');
    assert.deepEqual(await auth.ok(ME), { me: null });
    assert.equal((await auth.ok<{ me: { id: string } }>(ME, {}, { token: user.accessToken })).me.id, user.user.id);
    for (const [what, token] of await badTokens(user)) {
      const error = errorOf(await auth.graphql(ME, {}, { token }));
      assert.equal(error.extensions.code, 'UNAUTHENTICATED', `me with a ${what} token`);
    }
  });

  it('User.email (seen or not depending on the viewer) is UNAUTHENTICATED with a bad token', async () => {
    const user = await auth.register('emailed');
    const anonymous = await auth.ok<{ _entities: Array<{ email: string | null }> }>(USER_EMAIL, { id: user.user.id });
    assert.equal(anonymous._entities[0]!.email, null);
    const own = await auth.ok<{ _entities: Array<{ email: string | null }> }>(USER_EMAIL, { id: user.user.id }, { token: user.accessToken });
    assert.equal(own._entities[0]!.email, 'emailed@example.com');
    for (const [what, token] of await badTokens(user)) {
      const result = await auth.graphql(USER_EMAIL, { id: user.user.id }, { token });
      assert.equal(result.errors?.[0]?.extensions.code, 'UNAUTHENTICATED', `User.email with a ${what} token`);
    }
  });

  it('refreshSession sent with the expired access token it replaces succeeds, email included', async () => {
    const user = await auth.register('stale');
    const [expired] = (await badTokens(user))[0]!.slice(1);
    const result = await auth.graphql<{ refreshSession: AuthPayload }>(REFRESH, { refreshToken: user.refreshToken }, { token: expired! });
    assert.equal(result.errors, undefined);
    assert.equal(result.data!.refreshSession.user.email, 'stale@example.com');
  });
});
