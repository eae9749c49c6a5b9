import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AuthHarness, ME, REGISTER, errorOf } from './harness.js';

describe('register', () => {
  const auth = new AuthHarness();
  before(() => auth.start({ label: 'register' }));
  after(() => auth.stop());

  const register = (input: Record<string, unknown>) => auth.graphql(REGISTER, { input });
  const countUsers = async (where = 'true', params: unknown[] = []) =>
    ((await auth.app.dataSource.query(`SELECT count(*)::int AS n FROM users WHERE ${where}`, params)) as [{ n: number }])[0].n;

  it('creates a CUSTOMER with a token pair and a session', async () => {
    const payload = await auth.register('grace.hopper', { email: 'Grace@Example.com' });
    assert.equal(payload.user.role, 'CUSTOMER');
    assert.equal(payload.user.username, 'grace.hopper');
    assert.equal(payload.user.email, 'Grace@Example.com');
    assert.ok(payload.accessToken.split('.').length === 3);
    assert.ok(Date.parse(payload.accessTokenExpiresAt) > Date.now());
    assert.match(payload.refreshToken, /^[A-Za-z0-9_-]{43}$/, 'a 256-bit URL-safe token');
    const me = await auth.ok<{ me: { id: string; email: string } }>(ME, {}, { token: payload.accessToken });
    assert.equal(me.me.id, payload.user.id);
    const [session] = await auth.app.dataSource.query(`SELECT refresh_token_hash FROM sessions WHERE user_id = $1`, [payload.user.id]);
    assert.notEqual(session.refresh_token_hash, payload.refreshToken, 'only a hash is stored');
    assert.equal(session.refresh_token_hash.length, 64);
  });

  it('cannot be asked for another role', async () => {
    const result = await register({ username: 'sneaky', email: 'sneaky@example.com', password: 'password123', role: 'MANAGER' });
    assert.ok(result.errors?.[0]);
    assert.match(result.errors[0].message, /role/);
    assert.equal(await countUsers('username = $1', ['sneaky']), 0);
  });

  const invalid: Array<[string, Record<string, string>, string]> = [
    ['a username shorter than 3', { username: 'ab' }, 'input.username'],
    ['a username longer than 50', { username: 'a'.repeat(51) }, 'input.username'],
    ['a username with a space', { username: 'ada lovelace' }, 'input.username'],
    ['a username with a non-ASCII letter', { username: 'adé' }, 'input.username'],
    ['an email without @', { email: 'ada.example.com' }, 'input.email'],
    ['an email without a dotted domain', { email: 'ada@localhost' }, 'input.email'],
    ['an email with a space', { email: 'ada lovelace@example.com' }, 'input.email'],
    ['a password of 7 bytes', { password: 'abcdefg' }, 'input.password'],
    ['a password of 73 bytes', { password: 'a'.repeat(73) }, 'input.password'],
    ['a password of 24 three-byte characters plus one (73 bytes)', { password: '€'.repeat(24) + 'a' }, 'input.password'],
    ['a password of 37 two-byte characters (74 bytes, 37 chars)', { password: 'é'.repeat(37) }, 'input.password'],
    ['a password with a NUL character', { password: 'abcdefgh\u0000ijk' }, 'input.password'],
  ];
  for (const [what, override, field] of invalid) {
    it(`refuses ${what} with BAD_USER_INPUT naming ${field}`, async () => {
      const input = { username: 'valid_user', email: 'valid@example.com', password: 'password123', ...override };
      const error = errorOf(await register(input));
      assert.equal(error.extensions.code, 'BAD_USER_INPUT');
      assert.equal(error.extensions['field'], field);
      assert.ok(error.message.startsWith(`${field}:`), error.message);
      assert.equal(await countUsers('username = $1', ['valid_user']), 0, 'nothing written');
    });
  }

  it('accepts a multibyte password of exactly 72 bytes and signs in with it', async () => {
    const password = '€'.repeat(24);
    assert.equal(Buffer.byteLength(password), 72);
    const payload = await auth.register('euro', { password });
    assert.equal(payload.user.username, 'euro');
    const login = await auth.graphql(`mutation($input: LoginInput!) { login(input: $input) { user { id } } }`, {
      input: { email: 'euro@example.com', password },
    });
    assert.equal(login.errors, undefined);
  });

  it('accepts 3 and 50 character usernames of every allowed character', async () => {
    await auth.register('a.b');
    await auth.register(`${'A-z_9.'.repeat(8)}xy`);
  });

  it('gives CONFLICT naming input.email for a taken email, whatever its case', async () => {
    await auth.register('first', { email: 'taken@example.com' });
    const error = errorOf(await register({ username: 'second', email: 'TAKEN@Example.COM', password: 'password123' }));
    assert.equal(error.extensions.code, 'CONFLICT');
    assert.equal(error.extensions['field'], 'input.email');
    assert.match(error.message, /input\.email/);
    assert.equal(await countUsers('username = $1', ['second']), 0);
  });

  it('gives CONFLICT naming input.username for a taken username, whatever its case', async () => {
    await auth.register('Linus');
    const error = errorOf(await register({ username: 'linus', email: 'other-linus@example.com', password: 'password123' }));
    assert.equal(error.extensions.code, 'CONFLICT');
    assert.equal(error.extensions['field'], 'input.username');
    assert.match(error.message, /input\.username/);
  });

  it('makes exactly one account when 20 registrations race for one email', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        register({ username: `racer${index}`, email: 'race@example.com', password: 'password123' }),
      ),
    );
    const succeeded = results.filter((result) => result.data?.['register']);
    const conflicts = results.filter((result) => result.errors?.[0]?.extensions.code === 'CONFLICT');
    console.log(`# race: 20 concurrent registrations with one email -> ${succeeded.length} account(s), ${conflicts.length} CONFLICT`);
    assert.equal(succeeded.length, 1);
    assert.equal(conflicts.length, 19);
    for (const conflict of conflicts) assert.equal(conflict.errors![0]!.extensions['field'], 'input.email');
    assert.equal(await countUsers('lower(email) = $1', ['race@example.com']), 1);
    const sessions = await auth.app.dataSource.query(
      `SELECT count(*)::int AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username LIKE 'racer%'`,
    );
    assert.equal(sessions[0].n, 1, 'the losers left no session behind');
  });

  it('makes exactly one account when 20 registrations race for one username', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        register({ username: 'samename', email: `same${index}@example.com`, password: 'password123' }),
      ),
    );
    assert.equal(results.filter((result) => result.data?.['register']).length, 1);
    assert.equal(results.filter((result) => result.errors?.[0]?.extensions['field'] === 'input.username').length, 19);
    assert.equal(await countUsers('username = $1', ['samename']), 1);
  });
});
