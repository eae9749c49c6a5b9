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

  for (const [label, email] of [
    ['a NUL byte in the email', 'a\u0000b@example.com'],
    ['a control character in the email', 'a\u0007b@example.com'],
    ['an email of zero-width characters only', '\u200b\u200c'],
    ['an empty email', '   '],
  ] as const) {
    it(`login: ${label} is BAD_USER_INPUT naming input.email`, async () => {
      const error = errorOf(await auth.graphql(LOGIN, { input: { email, password: 'password123' } }));
      assert.equal(error.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(error));
      assert.equal(error.extensions?.field, 'input.email');
    });
  }
});
