import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { TestIssuer, createCuttableTestStorage, testLogger, type CuttableTestStorage } from '@dishpatch/shared/testing';
import { createOrdersDataSource, runOrdersMigrations } from '@dishpatch/orders-core/data-source';
import { buildOrdersApp, type OrdersApp } from '../src/app.js';
import { loadOrdersConfig } from '../src/config.js';
import { PLACE_ORDER } from './support/harness.js';
import { GATEWAY_SECRET_HEADER, generateSharedSecret } from '@dishpatch/shared/http';

const SHORT = { connectTimeoutMs: 500, statementTimeoutMs: 400, idleInTransactionTimeoutMs: 300 };

describe('database deadlines', () => {
  let storage: CuttableTestStorage;
  let direct: pg.Client;

  before(async () => {
    storage = await createCuttableTestStorage('deadlines');
    const migrator = createOrdersDataSource({ url: storage.database.url });
    await migrator.initialize();
    await runOrdersMigrations(migrator);
    await migrator.destroy();
    direct = new pg.Client({ connectionString: storage.database.url });
    await direct.connect();
  });
  after(async () => {
    await direct?.end();
    await storage?.cleanup();
  });

  it('a statement past statement_timeout is cancelled inside PostgreSQL, and fails with a code', async () => {
    const dataSource = createOrdersDataSource({ url: storage.databaseUrl, timeouts: SHORT });
    await dataSource.initialize();
    try {
      const started = Date.now();
      await assert.rejects(dataSource.query(`SELECT pg_sleep(5) /* deadline-probe */`), (error: any) => error.code === '57014');
      assert.ok(Date.now() - started < 3000);
      const running = await direct.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%deadline-probe%' AND state = 'active' AND pid <> pg_backend_pid()`);
      assert.equal(running.rows[0].n, 0);
    } finally {
      await dataSource.destroy();
    }
  });

  it('a COMMIT held up by a silent network fails at its deadline and never commits afterwards', async () => {
    const dataSource = createOrdersDataSource({ url: storage.databaseUrl, timeouts: SHORT });
    await dataSource.initialize();
    try {
      const runner = dataSource.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      await runner.query(`INSERT INTO dishes (name, price, quantity) VALUES ('late-commit', 1.00, 1)`);
      storage.databaseProxy.blackhole();
      const started = Date.now();
      await assert.rejects(runner.commitTransaction(), (error: any) => error.code === 'DATABASE_DEADLINE_EXCEEDED');
      const failedAfter = Date.now() - started;
      await runner.release().catch(() => undefined);
      storage.databaseProxy.restore();
      await sleep(1500);
      const rows = await direct.query(`SELECT count(*)::int AS n FROM dishes WHERE name = 'late-commit'`);
      assert.equal(rows.rows[0].n, 0, 'the COMMIT delivered after its deadline must not commit');
      assert.ok(failedAfter < 3000, `failed after ${failedAfter} ms`);
      // The pool gave up that connection: the next query works at once.
      assert.deepEqual(await dataSource.query(`SELECT 1 AS one`), [{ one: 1 }]);
    } finally {
      storage.databaseProxy.restore();
      await dataSource.destroy();
    }
  });

  describe('through the subgraph', () => {
    let app: OrdersApp;
    let issuer: TestIssuer;
    let url = '';

    const secret = generateSharedSecret();
    before(async () => {
      issuer = await new TestIssuer().start();
      const config = loadOrdersConfig({
        ORDERS_DATABASE_URL: storage.databaseUrl,
        REDIS_URL: storage.redis.url,
        REDIS_PREFIX: storage.redis.prefix,
        AUTH_JWKS_URL: issuer.jwksUrl,
        DATABASE_CONNECT_TIMEOUT_MS: '500',
        DATABASE_STATEMENT_TIMEOUT_MS: '500',
        DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '300',
        SUBGRAPH_SHARED_SECRET: secret,
      });
      app = await buildOrdersApp({ config, logger: testLogger });
      url = `http://127.0.0.1:${await app.http.listen(0, '127.0.0.1')}/graphql`;
    });
    after(async () => {
      storage.databaseProxy.restore();
      await app?.close();
      await issuer?.stop();
    });

    async function placeOrder(): Promise<{ data?: unknown; errors?: Array<{ extensions: Record<string, unknown> }> }> {
      const dish = await direct.query(`INSERT INTO dishes (name, price, quantity) VALUES ('Soup', 2.00, 100) RETURNING id`);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [GATEWAY_SECRET_HEADER]: secret, authorization: `Bearer ${issuer.token('CUSTOMER')}` },
        body: JSON.stringify({ query: PLACE_ORDER, variables: { input: { items: [{ dishId: dish.rows[0].id, quantity: 1 }] } } }),
      });
      return (await response.json()) as never;
    }

    for (const fault of ['cut', 'blackhole'] as const) {
      it(`a database that is ${fault === 'cut' ? 'down' : 'silent'} is SERVICE_UNAVAILABLE naming the database, within its deadline`, async () => {
        storage.databaseProxy[fault]();
        try {
          const started = Date.now();
          const body = await placeOrder();
          const took = Date.now() - started;
          assert.equal(body.errors?.[0]?.extensions['code'], 'SERVICE_UNAVAILABLE', JSON.stringify(body));
          assert.equal(body.errors?.[0]?.extensions['serviceName'], 'database');
          assert.ok(took < 5000, `answered after ${took} ms`);
        } finally {
          storage.databaseProxy.restore();
        }
        // And it works again at once.
        const deadline = Date.now() + 3000;
        let body = await placeOrder();
        while (body.errors && Date.now() < deadline) body = await placeOrder();
        assert.equal(body.errors, undefined, JSON.stringify(body));
      });
    }
  });
});
