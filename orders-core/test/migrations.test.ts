import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@dishpatch/shared/testing';
import { createOrdersDataSource } from '@dishpatch/orders-core/data-source';

describe('orders schema', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  before(async () => {
    database = await createTestDatabase('orders_schema');
    dataSource = createOrdersDataSource({ url: database.url });
    await dataSource.initialize();
    await dataSource.runMigrations();
  });

  after(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('refuses negative stock and non-positive prices', async () => {
    await assert.rejects(dataSource.query(`INSERT INTO dishes (name, price, quantity) VALUES ('Soup', 1.00, -1)`), /dishes_quantity_not_negative/);
    await assert.rejects(dataSource.query(`INSERT INTO dishes (name, price, quantity) VALUES ('Soup', 0, 1)`), /dishes_price_positive/);
  });

  it('refuses an unknown status and a status twice in one history', async () => {
    const [order] = (await dataSource.query(`INSERT INTO orders (user_id) VALUES (gen_random_uuid()) RETURNING id`)) as Array<{ id: string }>;
    await assert.rejects(dataSource.query(`UPDATE orders SET status = 'LOST' WHERE id = $1`, [order!.id]), /orders_status_known/);
    await dataSource.query(`INSERT INTO order_status_changes (order_id, status) VALUES ($1, 'WAITING')`, [order!.id]);
    await assert.rejects(
      dataSource.query(`INSERT INTO order_status_changes (order_id, status) VALUES ($1, 'WAITING')`, [order!.id]),
      /order_status_changes_once_per_status/,
    );
  });

  it('stamps each history row with its transaction, and records one menu change per statement that wrote dishes', async () => {
    const [order] = (await dataSource.query(`INSERT INTO orders (user_id) VALUES (gen_random_uuid()) RETURNING id`)) as Array<{ id: string }>;
    const [written] = (await dataSource.query(
      `INSERT INTO order_status_changes (order_id, status) VALUES ($1, 'IN_PROGRESS') RETURNING xid::text AS xid, pg_current_xact_id()::text AS own`,
      [order!.id],
    )) as Array<{ xid: string; own: string }>;
    assert.equal(written!.xid, written!.own);

    await dataSource.query(`TRUNCATE menu_changes`);
    const [dish] = (await dataSource.query(`INSERT INTO dishes (name, price, quantity) VALUES ('Soup', 1.00, 5), ('Tea', 1.00, 5) RETURNING id`)) as Array<{ id: string }>;
    await dataSource.query(`UPDATE dishes SET quantity = quantity - 1 WHERE id = $1`, [dish!.id]);
    await dataSource.query(`UPDATE dishes SET quantity = 1 WHERE id = gen_random_uuid()`);
    const changes = (await dataSource.query(`SELECT cardinality(dish_ids) AS dishes FROM menu_changes ORDER BY id`)) as Array<{ dishes: number }>;
    assert.deepEqual(changes.map((change) => change.dishes), [2, 1], 'an insert of two dishes, an update of one, nothing for an update of none');
  });

  it('migrates down and up again', async () => {
    await dataSource.undoLastMigration();
    await dataSource.runMigrations();
    const tables = (await dataSource.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('dishes', 'orders', 'order_items', 'order_status_changes')`)) as Array<{ n: number }>;
    assert.equal(tables[0]?.n, 4);
  });
});
