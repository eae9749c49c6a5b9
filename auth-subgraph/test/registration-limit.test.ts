import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AuthHarness, REGISTER, errorOf } from './harness.js';

describe('registration is limited per client address', () => {
  const auth = new AuthHarness();
  before(() => auth.start({ label: 'registration_limit', env: { REGISTRATION_MAX_PER_ADDRESS: '5', REGISTRATION_WINDOW_SECONDS: '600' } }));
  after(() => auth.stop());

  const register = (username: string, address: string) =>
    auth.graphql(REGISTER, { input: { username, email: `${username}@example.com`, password: 'correct horse battery' } }, { headers: { 'x-forwarded-for': address } });

  it('the sixth registration from one address in the window is RATE_LIMITED with retryAfterSeconds; other addresses are not', async () => {
    for (let index = 1; index <= 5; index++) assert.equal((await register(`flood${index}`, '198.51.100.7')).errors, undefined, `registration ${index}`);
    const limited = errorOf(await register('flood6', '198.51.100.7'));
    assert.equal(limited.extensions.code, 'RATE_LIMITED');
    const retryAfter = limited.extensions['retryAfterSeconds'];
    assert.ok(typeof retryAfter === 'number' && retryAfter >= 1 && retryAfter <= 600, `retryAfterSeconds=${String(retryAfter)}`);
    const [{ count }] = await auth.app.dataSource.query(`SELECT count(*)::int AS count FROM users WHERE username = 'flood6'`);
    assert.equal(count, 0, 'nothing written');
    assert.equal((await register('elsewhere1', '198.51.100.8')).errors, undefined, 'another address registers');
  });

  it('holds the limit when many registrations from one address arrive at once', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, index) => register(`burst${index}`, '198.51.100.9')));
    const codes = results.map((result) => result.errors?.[0]?.extensions.code ?? 'OK');
    assert.equal(codes.filter((code) => code === 'OK').length, 5);
    assert.equal(codes.filter((code) => code === 'RATE_LIMITED').length, 7);
  });
});
