import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { ConfigError } from '@dishpatch/shared/config';
import { createTestDatabase, revokeTestSession } from '@dishpatch/shared/testing';
import { loadOrdersConfig } from '../src/config.js';
import { createOrdersDataSource, runOrdersMigrations } from '@dishpatch/orders-core/data-source';
import { OrdersHarness, onlyError } from './support/harness.js';

const MY_ORDERS = `{ myOrders { totalCount } }`;

describe('orders service', () => {
  let harness: OrdersHarness;
  let redis: Redis;

  before(async () => {
    harness = await OrdersHarness.start('service');
    redis = new Redis(harness.redis.url);
  });
  after(async () => {
    redis.disconnect();
    await harness.stop();
  });

  it('refuses the token of a session revoked while it runs, and only that session', async () => {
    const customer = harness.caller('CUSTOMER');
    assert.equal((await harness.graphql(MY_ORDERS, {}, customer)).data?.myOrders.totalCount, 0);
    await revokeTestSession(redis, harness.redis.prefix, customer.sessionId, 900);
    let error;
    // Pub/sub delivery is asynchronous: wait for it, but not forever.
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const response = await harness.graphql(MY_ORDERS, {}, customer);
      if (response.errors) {
        error = onlyError(response);
        break;
      }
      await sleep(20);
    }
    assert.equal(error?.extensions.code, 'UNAUTHENTICATED');
    assert.equal(error?.message, 'Session has been signed out');
    // Other sessions of the same user are untouched.
    const otherSession = harness.caller('CUSTOMER', customer.userId);
    assert.equal((await harness.graphql(MY_ORDERS, {}, otherSession)).errors, undefined);
  });

  it('refuses a token signed with a key the JWKS does not publish, whatever role it claims', async () => {
    const { TestIssuer } = await import('@dishpatch/shared/testing');
    const stranger = await new TestIssuer().start();
    try {
      const response = await harness.graphql(MY_ORDERS, {}, stranger.token('MANAGER'));
      assert.equal(onlyError(response).extensions.code, 'UNAUTHENTICATED');
    } finally {
      await stranger.stop();
    }
  });

  it('serves /health, /ready (database and redis) and /metrics', async () => {
    assert.equal((await fetch(`${harness.url}/health`)).status, 200);
    const ready = await fetch(`${harness.url}/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', checks: { database: 'ok', redis: 'ok' } });
    const metrics = await (await fetch(`${harness.url}/metrics`)).text();
    assert.match(metrics, /http_request_duration_seconds_bucket/);
    assert.match(metrics, /orders_transaction_retries_total/);
  });

  it('answers malformed JSON with BAD_REQUEST', async () => {
    const text = await (
      await fetch(`${harness.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' })
    ).text();
    assert.match(text, /BAD_REQUEST/);
  });

  it('names the variable of a bad configuration value', () => {
    assert.throws(() => loadOrdersConfig({ ORDERS_PORT: 'http' }), (error: unknown) => error instanceof ConfigError && /ORDERS_PORT/.test(error.message));
    assert.throws(
      () => loadOrdersConfig({ ORDERS_DATABASE_URL: 'mysql://x' }),
      (error: unknown) => error instanceof ConfigError && /ORDERS_DATABASE_URL/.test(error.message),
    );
    assert.equal(loadOrdersConfig({}).ORDERS_PORT, 4002);
  });

  it('migrates once when two processes start together (advisory lock)', async () => {
    const database = await createTestDatabase('orders_migrate_lock');
    const sources = [createOrdersDataSource({ url: database.url, poolSize: 2 }), createOrdersDataSource({ url: database.url, poolSize: 2 })];
    try {
      await Promise.all(sources.map((source) => source.initialize()));
      const applied = await Promise.all(sources.map((source) => runOrdersMigrations(source)));
      const all = sources[0]!.migrations.length;
      assert.deepEqual(applied.map((migrations) => migrations.length).sort(), [0, all]);
      const rows = (await sources[0]!.query(`SELECT count(*)::int AS n FROM migrations`)) as Array<{ n: number }>;
      assert.equal(rows[0]?.n, all);
    } finally {
      await Promise.all(sources.map((source) => source.destroy()));
      await database.drop();
    }
  });
});
