import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { GATEWAY_SECRET_HEADER, generateSharedSecret } from '@dishpatch/shared/http';
import { activeResources, createCuttableTestStorage, resourcesLeftSince, TestIssuer, testLogger, waitFor } from '@dishpatch/shared/testing';
import { buildOrdersApp } from '../src/app.js';
import { loadOrdersConfig } from '../src/config.js';
import { runOrdersMigrations } from '@dishpatch/orders-core/data-source';

describe('orders app: close() releases every connection and timer it made', () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  for (const outage of ['Redis', 'PostgreSQL'] as const) {
    it(`with ${outage} down`, async () => {
      const issuer = await new TestIssuer().start();
      cleanups.push(() => issuer.stop());
      const storage = await createCuttableTestStorage(`orders_close_${outage}`);
      cleanups.push(() => storage.cleanup());
      const before = activeResources();
      const secret = generateSharedSecret();
      const app = await buildOrdersApp({
        config: loadOrdersConfig({
          ORDERS_DATABASE_URL: storage.databaseUrl,
          REDIS_URL: storage.redisUrl,
          REDIS_PREFIX: storage.redis.prefix,
          AUTH_JWKS_URL: issuer.jwksUrl,
          SUBGRAPH_SHARED_SECRET: secret,
        }),
        logger: testLogger,
      });
      await runOrdersMigrations(app.dataSource);
      const url = `http://127.0.0.1:${await app.http.listen(0, '127.0.0.1')}`;
      // Use both: a signed-in query verifies the token (revocations in Redis) and reads the database.
      const answer = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [GATEWAY_SECRET_HEADER]: secret, authorization: `Bearer ${issuer.token('CHEF')}` },
        body: JSON.stringify({ query: '{ orders(first: 1) { totalCount } }' }),
      });
      assert.deepEqual(await answer.json(), { data: { orders: { totalCount: 0 } } });

      (outage === 'Redis' ? storage.redisProxy : storage.databaseProxy).cut();
      await waitFor('orders to see the outage', async () => ((await fetch(`${url}/ready`)).status === 503 ? true : undefined));
      await app.close();
      assert.deepEqual(await resourcesLeftSince(before), []);
    });
  }
});
