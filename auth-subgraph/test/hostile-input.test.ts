import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AuthHarness, LOGIN, REGISTER, errorOf } from './harness.js';

describe('register and login with input that used to reach PostgreSQL', () => {
  const auth = new AuthHarness();
  before(() => auth.start({ label: 'hostile_input' }));
  after(() => auth.stop());

  for (const [label, input, field] of [
    ['a NUL byte in the email', { username: 'nul_email', email: 'a\u0000b@example.com', password: 'password123' }, 'input.email'],
    ['a NUL byte in the username', { username: 'nul\u0000name', email: 'nul.name@example.com', password: 'password123' }, 'input.username'],
    ['an email with zero-width characters', { username: 'zw_email', email: '\u200b\u200c@example.com', password: 'password123' }, 'input.email'],
    ['an email with a bidi override', { username: 'bidi_email', email: 'ab\u202ec@example.com', password: 'password123' }, 'input.email'],
  ] as const) {
    it(`register: ${label} is BAD_USER_INPUT naming ${field}`, async () => {
      const error = errorOf(await auth.graphql(REGISTER, { input }));
      assert.equal(error.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(error));
      assert.equal(error.extensions?.field, field);
    });
  }

  // login checks its email in sessions/session-service.ts, which another change of issue 10 owns:
  // it needs `validEmail` (users/user-input.ts) or a NUL check before the lookup.
  it('login: a NUL byte in the email is not an internal error', { todo: 'session-service.ts must check the email with validEmail' }, async () => {
    const error = errorOf(await auth.graphql(LOGIN, { input: { email: 'a\u0000b@example.com', password: 'password123' } }));
    assert.notEqual(error.extensions?.code, 'INTERNAL_SERVER_ERROR', JSON.stringify(error));
  });
});
