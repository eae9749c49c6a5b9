import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { GATEWAY_SECRET_HEADER, generateSharedSecret } from '@dishpatch/shared/http';
import { activeResources, createCuttableTestStorage, resourcesLeftSince, testLogger, waitFor } from '@dishpatch/shared/testing';
import { buildAuthApp } from '../src/app.js';
import { REGISTER, testAuthConfig } from './harness.js';

describe('auth app: close() releases every connection and timer it made', () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  for (const outage of ['Redis', 'PostgreSQL'] as const) {
    it(`with ${outage} down`, async () => {
      const storage = await createCuttableTestStorage(`auth_close_${outage}`);
      cleanups.push(() => storage.cleanup());
      const before = activeResources();
      const secret = generateSharedSecret();
      const app = await buildAuthApp({
        config: testAuthConfig({ databaseUrl: storage.databaseUrl, redisUrl: storage.redisUrl, redisPrefix: storage.redis.prefix, secret }),
        logger: testLogger,
      });
      await app.migrate();
      const url = `http://127.0.0.1:${await app.http.listen(0, '127.0.0.1')}`;
      // Use both: a registration writes the database and reads the rate limits in Redis.
      const registered = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [GATEWAY_SECRET_HEADER]: secret },
        body: JSON.stringify({ query: REGISTER, variables: { input: { username: 'closer', email: 'closer@example.com', password: 'correct horse battery' } } }),
      });
      assert.equal(((await registered.json()) as { errors?: unknown }).errors, undefined);

      (outage === 'Redis' ? storage.redisProxy : storage.databaseProxy).cut();
      await waitFor('auth to see the outage', async () => ((await fetch(`${url}/ready`)).status === 503 ? true : undefined));
      await app.close();
      assert.deepEqual(await resourcesLeftSince(before), []);
    });
  }
});
