import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { AuthHarness, LOGIN, ME, errorOf, type AuthPayload } from './harness.js';

const MAX_PER_EMAIL = 3;
const MAX_PER_ADDRESS = 6;

describe('login', () => {
  const auth = new AuthHarness();
  before(() =>
    auth.start({
      label: 'login',
      env: {
        LOGIN_MAX_FAILURES_PER_EMAIL_AND_ADDRESS: String(MAX_PER_EMAIL),
        LOGIN_MAX_FAILURES_PER_ADDRESS: String(MAX_PER_ADDRESS),
        LOGIN_FAILURE_WINDOW_SECONDS: '600',
      },
    }),
  );
  after(() => auth.stop());

  /** Each test signs in from its own address unless it says otherwise, so limits do not leak between tests. */
  let addressCounter = 0;
  const newAddress = () => `203.0.113.${++addressCounter}`;
  const login = (email: string, password: string, address: string) =>
    auth.graphql<{ login: AuthPayload }>(LOGIN, { input: { email, password } }, { headers: { 'x-forwarded-for': `${address}, 10.0.0.1` } });

  it('signs in with the right password, whatever the email case, and opens a new session', async () => {
    const registered = await auth.register('alan', { password: 'enigma-machine' });
    const result = await login('ALAN@example.com', 'enigma-machine', newAddress());
    assert.equal(result.errors, undefined);
    const payload = result.data!.login;
    assert.equal(payload.user.id, registered.user.id);
    assert.equal(payload.user.email, 'alan@example.com');
    assert.notEqual(payload.refreshToken, registered.refreshToken);
    const me = await auth.ok<{ me: { id: string } }>(ME, {}, { token: payload.accessToken });
    assert.equal(me.me.id, registered.user.id);
    const sessions = await auth.app.dataSource.query(`SELECT ip_address FROM sessions WHERE user_id = $1 ORDER BY created_at`, [registered.user.id]);
    assert.equal(sessions.length, 2);
    assert.equal(sessions[1].ip_address, `203.0.113.${addressCounter}`, 'the first x-forwarded-for entry is the client');
  });

  it('answers an unknown email and a wrong password with the same UNAUTHENTICATED error', async () => {
    await auth.register('barbara', { password: 'liskov-substitution' });
    const address = newAddress();
    const wrongPassword = errorOf(await login('barbara@example.com', 'not-the-password', address));
    const unknownEmail = errorOf(await login('nobody@example.com', 'not-the-password', address));
    assert.equal(wrongPassword.extensions.code, 'UNAUTHENTICATED');
    assert.deepEqual(unknownEmail, wrongPassword);
  });

  it('refuses a password that differs only after a NUL byte', async () => {
    await auth.register('nul-test', { password: 'abcdefgh' });
    const error = errorOf(await login('nul-test@example.com', 'abcdefgh\u0000tail', newAddress()));
    assert.equal(error.extensions.code, 'UNAUTHENTICATED');
  });

  for (const [what, input, field] of [
    ['an empty email', { email: '  ', password: 'whatever1' }, 'input.email'],
    ['an empty password', { email: 'a@example.com', password: '' }, 'input.password'],
    ['a password over 72 bytes', { email: 'a@example.com', password: 'ü'.repeat(37) }, 'input.password'],
  ] as const) {
    it(`refuses ${what} with BAD_USER_INPUT naming ${field}`, async () => {
      const error = errorOf(await auth.graphql(LOGIN, { input }, { headers: { 'x-forwarded-for': newAddress() } }));
      assert.equal(error.extensions.code, 'BAD_USER_INPUT');
      assert.equal(error.extensions['field'], field);
    });
  }

  it(`answers RATE_LIMITED with retryAfterSeconds after ${MAX_PER_EMAIL} failures for one email from one address, even with the right password`, async () => {
    await auth.register('carol', { password: 'right-password' });
    const attacker = newAddress();
    for (let attempt = 0; attempt < MAX_PER_EMAIL; attempt++) {
      assert.equal(errorOf(await login('carol@example.com', 'wrong-password', attacker)).extensions.code, 'UNAUTHENTICATED');
    }
    const limited = errorOf(await login('Carol@Example.com', 'right-password', attacker));
    assert.equal(limited.extensions.code, 'RATE_LIMITED');
    const retryAfter = limited.extensions['retryAfterSeconds'];
    assert.ok(typeof retryAfter === 'number' && retryAfter >= 1 && retryAfter <= 600, `retryAfterSeconds=${String(retryAfter)}`);
    const otherAccount = await auth.register('dave', { password: 'right-password' });
    assert.equal((await login('dave@example.com', 'right-password', newAddress())).data?.login.user.id, otherAccount.user.id);
  });

  it("an attacker's failures do not lock the owner out: the owner signs in from another address", async () => {
    const owner = await auth.register('olivia', { password: 'right-password' });
    const attacker = newAddress();
    for (let attempt = 0; attempt < MAX_PER_EMAIL + 3; attempt++) {
      const code = errorOf(await login('olivia@example.com', `guess-${attempt}`, attacker)).extensions.code;
      assert.equal(code, attempt < MAX_PER_EMAIL ? 'UNAUTHENTICATED' : 'RATE_LIMITED', `attempt ${attempt + 1}`);
    }
    const fromHome = await login('olivia@example.com', 'right-password', newAddress());
    assert.equal(fromHome.errors, undefined, JSON.stringify(fromHome.errors));
    assert.equal(fromHome.data!.login.user.id, owner.user.id);
    assert.equal(errorOf(await login('olivia@example.com', 'right-password', attacker)).extensions.code, 'RATE_LIMITED', 'the attacking pair stays blocked');
  });

  it('clears the (email, address) count on success', async () => {
    await auth.register('erin', { password: 'right-password' });
    const address = newAddress();
    // Two rounds: more failures than the pair's limit in all, fewer than the address's.
    for (let round = 0; round < 2; round++) {
      for (let attempt = 0; attempt < MAX_PER_EMAIL - 1; attempt++) {
        assert.equal(errorOf(await login('erin@example.com', 'wrong-password', address)).extensions.code, 'UNAUTHENTICATED');
      }
      const result = await login('erin@example.com', 'right-password', address);
      assert.equal(result.errors, undefined, `round ${round}: ${JSON.stringify(result.errors)}`);
    }
  });

  it(`answers RATE_LIMITED after ${MAX_PER_ADDRESS} failures from one client address across emails`, async () => {
    const address = newAddress();
    await auth.register('frank', { password: 'right-password' });
    for (let attempt = 0; attempt < MAX_PER_ADDRESS; attempt++) {
      assert.equal(errorOf(await login(`guess${attempt}@example.com`, 'wrong-password', address)).extensions.code, 'UNAUTHENTICATED');
    }
    const limited = errorOf(await login('frank@example.com', 'right-password', address));
    assert.equal(limited.extensions.code, 'RATE_LIMITED');
    assert.ok(Number(limited.extensions['retryAfterSeconds']) >= 1);
    assert.equal((await login('frank@example.com', 'right-password', newAddress())).errors, undefined, 'another address still works');
  });

  it('holds the (email, address) limit when many wrong guesses arrive at once', async () => {
    await auth.register('grace', { password: 'right-password' });
    const attacker = newAddress();
    const results = await Promise.all(
      Array.from({ length: 15 }, () => login('grace@example.com', 'wrong-password', attacker)),
    );
    const codes = results.map((result) => errorOf(result).extensions.code);
    assert.equal(codes.filter((code) => code === 'UNAUTHENTICATED').length, MAX_PER_EMAIL, 'only that many passwords were tried');
    assert.equal(codes.filter((code) => code === 'RATE_LIMITED').length, 15 - MAX_PER_EMAIL);
  });

  it('keeps its counts in Redis under REDIS_PREFIX, with a window', async () => {
    const redis = new Redis(auth.config.REDIS_URL);
    try {
      const [, keys] = await redis.scan('0', 'MATCH', `${auth.config.REDIS_PREFIX}login-attempts:*`, 'COUNT', 10_000);
      assert.ok(keys.length > 0);
      for (const key of keys) assert.ok((await redis.pttl(key)) > 0, `${key} expires`);
      assert.ok(keys.every((key) => !key.includes('@')), 'no email in clear');
    } finally {
      redis.disconnect();
    }
  });
});
