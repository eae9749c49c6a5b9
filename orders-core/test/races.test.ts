import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DishService } from '@dishpatch/orders-core/dishes';
import { advanceDueOrders } from '@dishpatch/orders-core/kitchen-clock';
import { MoneyInput } from '@dishpatch/orders-core/money';
import { ACTIVE_STATUSES, OrderService, advanceOneStage, cancelIfIn } from '@dishpatch/orders-core/orders';
import { createOrdersTestDatabase, ORDER_HISTORY_ROWS, type OrdersTestDatabase } from '@dishpatch/orders-core/testing';
import { runTransaction } from '@dishpatch/orders-core/transactions';

/**
 * Races decided inside the core: transactions that retry on a deadlock, and moves of one order
 * that wait on each other's row lock. The races a client sees through the API (outcomes, error
 * codes) are in the orders subgraph's races.test.ts.
 */
describe('races in the orders core', () => {
  let db: OrdersTestDatabase;
  let dishes: DishService;
  let orders: OrderService;

  before(async () => {
    db = await createOrdersTestDatabase('orders_core_races');
    dishes = new DishService(db.dataSource);
    orders = new OrderService(db.dataSource);
  });
  after(async () => {
    await db.drop();
  });
  beforeEach(async () => {
    await db.dataSource.query(`TRUNCATE order_idempotency_keys, order_status_events, order_items, orders, dishes`);
  });

  async function createDish(quantity: number): Promise<string> {
    const dish = await dishes.create({ name: `Dish ${randomUUID().slice(0, 8)}`, price: new MoneyInput('10.00'), quantity });
    return dish.id;
  }

  async function placeOrderOfOne(dishId: string): Promise<string> {
    const order = await orders.place({ userId: randomUUID(), sessionId: randomUUID(), role: 'CUSTOMER' }, { items: [{ dishId, quantity: 1 }] });
    return order.id;
  }

  async function stockOf(dishId: string): Promise<number> {
    const [row] = (await db.dataSource.query(`SELECT quantity FROM dishes WHERE id = $1`, [dishId])) as Array<{ quantity: number }>;
    return row!.quantity;
  }

  async function lockWaiters(): Promise<number> {
    const [row] = (await db.dataSource.query(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    )) as Array<{ waiting: number }>;
    return row!.waiting;
  }

  it('runs a transaction again when PostgreSQL reports a deadlock, so the caller never sees it', async () => {
    const [x, y] = await Promise.all([createDish(5), createDish(5)]);
    let retries = 0;
    let bothHoldFirstLock: () => void = () => undefined;
    const firstLocksTaken = new Promise<void>((resolve) => {
      let taken = 0;
      bothHoldFirstLock = () => {
        taken += 1;
        if (taken === 2) resolve();
      };
    });
    // Two transactions lock the same two rows in opposite orders, on purpose, once.
    const lockInOrder = (first: string, second: string) =>
      runTransaction(
        db.dataSource,
        async (manager) => {
          await manager.query(`UPDATE dishes SET quantity = quantity + 1 WHERE id = $1`, [first]);
          if (retries === 0) {
            bothHoldFirstLock();
            await firstLocksTaken;
          }
          await manager.query(`UPDATE dishes SET quantity = quantity + 1 WHERE id = $1`, [second]);
        },
        { onRetry: () => (retries += 1) },
      );
    await Promise.all([lockInOrder(x!, y!), lockInOrder(y!, x!)]);
    assert.equal(retries, 1);
    assert.equal(await stockOf(x!), 7);
    assert.equal(await stockOf(y!), 7);
  });

  it('a cancel that waited for a move to commit is stamped after it: history in time order is a valid path', async () => {
    const orderId = await placeOrderOfOne(await createDish(5));
    const cancelling = db.dataSource.createQueryRunner();
    const moving = db.dataSource.createQueryRunner();
    try {
      // The cancel's transaction starts first; a move (as a worker batch would) then takes the row.
      await cancelling.startTransaction();
      await cancelling.query('SELECT 1');
      await moving.startTransaction();
      assert.equal(await advanceOneStage(moving.manager, orderId), 'IN_PROGRESS');
      const cancelled = cancelIfIn(cancelling.manager, orderId, ACTIVE_STATUSES);
      for (let attempt = 0; attempt < 500; attempt += 1) {
        if ((await lockWaiters()) > 0) break;
        await sleep(10);
      }
      await moving.commitTransaction();
      assert.equal(await cancelled, true);
      await cancelling.commitTransaction();
    } finally {
      await cancelling.release();
      await moving.release();
    }
    const history = (await db.dataSource.query(
      `SELECT status FROM ${ORDER_HISTORY_ROWS} h WHERE order_id = $1 ORDER BY at`,
      [orderId],
    )) as Array<{ status: string }>;
    assert.deepEqual(history.map((row) => row.status), ['WAITING', 'IN_PROGRESS', 'CANCELLED']);
  });

  it('a cancel that waited for a tick batch to commit is stamped after its move: history in time order is a valid path', async () => {
    const orderId = await placeOrderOfOne(await createDish(5));
    const cancelling = db.dataSource.createQueryRunner();
    const moving = db.dataSource.createQueryRunner();
    try {
      // The cancel's transaction starts first; a tick (one transaction, stage time 0) then moves the order.
      await cancelling.startTransaction();
      await cancelling.query('SELECT 1');
      await moving.startTransaction();
      assert.equal((await advanceDueOrders(moving, { stageSeconds: 0 })).moved, 1);
      const cancelled = cancelIfIn(cancelling.manager, orderId, ACTIVE_STATUSES);
      for (let attempt = 0; attempt < 500; attempt += 1) {
        if ((await lockWaiters()) > 0) break;
        await sleep(10);
      }
      await moving.commitTransaction();
      assert.equal(await cancelled, true);
      await cancelling.commitTransaction();
    } finally {
      await cancelling.release();
      await moving.release();
    }
    const history = (await db.dataSource.query(
      `SELECT status FROM ${ORDER_HISTORY_ROWS} h WHERE order_id = $1 ORDER BY at`,
      [orderId],
    )) as Array<{ status: string }>;
    assert.deepEqual(history.map((row) => row.status), ['WAITING', 'IN_PROGRESS', 'CANCELLED']);
  });
  it('a tick that meets an order being cancelled waits for the cancel, leaves that order cancelled and moves the others', async () => {
    const dishId = await createDish(5);
    const [cancelledId, ...othersIds] = [await placeOrderOfOne(dishId), await placeOrderOfOne(dishId), await placeOrderOfOne(dishId)];
    const cancelling = db.dataSource.createQueryRunner();
    try {
      await cancelling.startTransaction();
      assert.equal(await cancelIfIn(cancelling.manager, cancelledId!, ACTIVE_STATUSES), true);
      const ticking = advanceDueOrders(db.dataSource, { stageSeconds: 0 });
      for (let attempt = 0; attempt < 500; attempt += 1) {
        if ((await lockWaiters()) > 0) break;
        await sleep(10);
      }
      assert.equal(await lockWaiters(), 1, 'the tick waits for the order the cancel holds');
      await cancelling.commitTransaction();
      assert.equal((await ticking).moved, 2);
    } finally {
      await cancelling.release();
    }
    const histories = (await db.dataSource.query(
      `SELECT order_id, array_agg(status ORDER BY at) AS statuses FROM ${ORDER_HISTORY_ROWS} h GROUP BY order_id`,
    )) as Array<{ order_id: string; statuses: string[] }>;
    const statusesOf = new Map(histories.map((row) => [row.order_id, row.statuses]));
    assert.deepEqual(statusesOf.get(cancelledId!), ['WAITING', 'CANCELLED']);
    for (const orderId of othersIds) assert.deepEqual(statusesOf.get(orderId), ['WAITING', 'IN_PROGRESS']);
    assert.equal(await stockOf(dishId), 3, 'the cancelled order\'s unit came back, once');
  });
});
