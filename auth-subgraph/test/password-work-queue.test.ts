import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AuthHarness, REGISTER, type AuthPayload } from './harness.js';

/** bcrypt work is bounded: a burst is refused fast with SERVICE_UNAVAILABLE, never half done. */
describe('a bounded queue for bcrypt work', () => {
  const auth = new AuthHarness();
  before(() =>
    auth.start({
      label: 'bcrypt_queue',
      // A tiny queue and a real (if low) cost, so that a burst overflows it.
      env: { BCRYPT_ROUNDS: '10', BCRYPT_MAX_CONCURRENT: '1', BCRYPT_MAX_QUEUED: '2', BCRYPT_MAX_WAIT_MS: '2000' },
    }),
  );
  after(() => auth.stop());

  const register = (username: string) =>
    auth.graphql<{ register: AuthPayload }>(REGISTER, { input: { username, email: `${username}@example.com`, password: 'correct horse battery' } });

  it('many concurrent registrations: each succeeds or is SERVICE_UNAVAILABLE, and exactly the successes exist', async () => {
    const names = Array.from({ length: 30 }, (_, index) => `burst${index}`);
    const started = Date.now();
    const results = await Promise.all(names.map(register));
    const elapsed = Date.now() - started;
    const succeeded: string[] = [];
    const refused: string[] = [];
    results.forEach((result, index) => {
      if (result.data?.register) succeeded.push(names[index]!);
      else {
        assert.equal(result.errors?.[0]?.extensions.code, 'SERVICE_UNAVAILABLE', JSON.stringify(result.errors));
        assert.equal(result.errors?.[0]?.extensions['serviceName'], 'auth');
        refused.push(names[index]!);
      }
    });
    assert.ok(succeeded.length > 0, 'some get through');
    assert.ok(refused.length > 0, 'the rest are refused rather than piled up');
    const rows: Array<{ username: string }> = await auth.app.dataSource.query(`SELECT username FROM users WHERE username LIKE 'burst%'`);
    assert.deepEqual(rows.map((row) => row.username).sort(), [...succeeded].sort(), 'nothing refused was written');
    console.log(`# burst: 30 registrations, queue 1 running + 2 waiting -> ${succeeded.length} created, ${refused.length} SERVICE_UNAVAILABLE in ${elapsed} ms`);

    const retried = await register(refused[0]!);
    assert.equal(retried.errors, undefined, 'a retry of a refused registration succeeds (no CONFLICT)');
  });
});
