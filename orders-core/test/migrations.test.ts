import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@dishpatch/shared/testing';
import { createOrdersDataSource } from '@dishpatch/orders-core/data-source';
import { ORDER_HISTORY_ROWS } from '@dishpatch/orders-core/testing';

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

  it('refuses an unknown status', async () => {
    const [order] = (await dataSource.query(`INSERT INTO orders (user_id) VALUES (gen_random_uuid()) RETURNING id`)) as Array<{ id: string }>;
    await assert.rejects(dataSource.query(`UPDATE orders SET status = 'LOST' WHERE id = $1`, [order!.id]), /orders_status_known/);
  });

  it('stamps each order events row with its transaction, and records one menu change per statement that wrote dishes', async () => {
    const [written] = (await dataSource.query(
      `INSERT INTO order_status_events (moves, first_at, order_ids, user_ids, statuses, ats)
       VALUES (1, now(), ARRAY[gen_random_uuid()], ARRAY[gen_random_uuid()], ARRAY['WAITING'], ARRAY[now()])
       RETURNING xid::text AS xid, pg_current_xact_id()::text AS own`,
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
    const tables = (await dataSource.query(
      `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('dishes', 'orders', 'order_items', 'order_status_events')`,
    )) as Array<{ n: number }>;
    assert.equal(tables[0]?.n, 4);
  });

  it("moves each order's history rows onto the order, and keeps the last hour's as events for the relay", async () => {
    await dataSource.undoLastMigration();
    await dataSource.query(`TRUNCATE order_status_changes, order_items, orders CASCADE`);
    // Old-style history: one row per status, times given as minutes ago.
    const histories: Record<string, Array<[string, number]>> = {
      WAITING: [['WAITING', 5]],
      DONE: [['WAITING', 180], ['IN_PROGRESS', 150], ['DONE', 120]],
      CANCELLED: [['WAITING', 70], ['IN_PROGRESS', 50], ['CANCELLED', 2]],
    };
    const ids: Record<string, string> = {};
    for (const [status, history] of Object.entries(histories)) {
      const [last] = history.slice(-1);
      const [order] = (await dataSource.query(
        `INSERT INTO orders (user_id, status, status_changed_at) VALUES (gen_random_uuid(), $1, date_trunc('second', now()) - make_interval(mins => $2)) RETURNING id`,
        [status, last![1]],
      )) as Array<{ id: string }>;
      ids[status] = order!.id;
      for (const [stage, minutesAgo] of history) {
        await dataSource.query(`INSERT INTO order_status_changes (order_id, status, at) VALUES ($1, $2, date_trunc('second', now()) - make_interval(mins => $3))`, [
          order!.id,
          stage,
          minutesAgo,
        ]);
      }
    }

    await dataSource.runMigrations();

    const moved = (await dataSource.query(
      `SELECT h.order_id, array_agg(h.status || ' ' || round(extract(epoch FROM date_trunc('second', now()) - h.at) / 60) ORDER BY h.at) AS history
       FROM ${ORDER_HISTORY_ROWS} h GROUP BY h.order_id`,
    )) as Array<{ order_id: string; history: string[] }>;
    const byId = new Map(moved.map((row) => [row.order_id, row.history]));
    for (const [status, history] of Object.entries(histories)) {
      assert.deepEqual(byId.get(ids[status]!), history.map(([stage, minutesAgo]) => `${stage} ${minutesAgo}`), `${status} order`);
    }
    const events = (await dataSource.query(
      `SELECT move.order_id, move.status FROM order_status_events e CROSS JOIN LATERAL unnest(e.order_ids, e.statuses, e.ats) AS move (order_id, status, at) ORDER BY move.at`,
    )) as Array<{ order_id: string; status: string }>;
    assert.deepEqual(events, [
      { order_id: ids['CANCELLED'], status: 'IN_PROGRESS' },
      { order_id: ids['WAITING'], status: 'WAITING' },
      { order_id: ids['CANCELLED'], status: 'CANCELLED' },
    ]);
  });
});
