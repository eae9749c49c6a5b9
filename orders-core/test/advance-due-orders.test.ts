import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { StatementCounter } from '@dishpatch/shared/testing';
import { advanceDueOrders } from '@dishpatch/orders-core/kitchen-clock';
import { ACTIVE_STATUSES } from '@dishpatch/orders-core/orders';
import { countByStatus, createOrdersTestDatabase, historyProblems, insertOrders, statusesOf, type OrdersTestDatabase } from '@dishpatch/orders-core/testing';

const STAGE_SECONDS = 30;
const DUE = STAGE_SECONDS * 4;

function movedOf(result: Awaited<ReturnType<typeof advanceDueOrders>>): Record<string, number> {
  return Object.fromEntries(result.transitions.map(({ from, to, moved }) => [`${from}->${to}`, moved]));
}

describe('advanceDueOrders', () => {
  const counter = new StatementCounter();
  let db: OrdersTestDatabase;

  before(async () => {
    db = await createOrdersTestDatabase('worker_advance', { logger: counter });
  });
  after(async () => {
    await db.drop();
  });
  beforeEach(async () => {
    await db.dataSource.query(`TRUNCATE order_idempotency_keys, order_status_changes, order_items, orders, dishes`);
  });

  it('moves every due order exactly one stage, writes its history row, and leaves the rest alone', async () => {
    const { dataSource } = db;
    const waiting = await insertOrders(dataSource, { count: 5, status: 'WAITING', ageSeconds: DUE });
    const inProgress = await insertOrders(dataSource, { count: 4, status: 'IN_PROGRESS', ageSeconds: DUE });
    const fresh = await insertOrders(dataSource, { count: 3, status: 'WAITING', ageSeconds: 5 });
    const final = [
      ...(await insertOrders(dataSource, { count: 2, status: 'DONE', ageSeconds: DUE })),
      ...(await insertOrders(dataSource, { count: 2, status: 'CANCELLED', ageSeconds: DUE })),
    ];
    const finalBefore = await statusesOf(dataSource, final);

    const result = await advanceDueOrders(dataSource, { stageSeconds: STAGE_SECONDS });

    assert.deepEqual(movedOf(result), { 'WAITING->IN_PROGRESS': 5, 'IN_PROGRESS->DONE': 4 });
    assert.equal(result.moved, 9);
    // Orders that entered IN_PROGRESS in this tick did not also finish in it.
    assert.deepEqual(await countByStatus(dataSource, waiting), { IN_PROGRESS: 5 });
    assert.deepEqual(await countByStatus(dataSource, inProgress), { DONE: 4 });
    assert.deepEqual(await countByStatus(dataSource, fresh), { WAITING: 3 });
    assert.deepEqual(await statusesOf(dataSource, final), finalBefore);

    const history = (await dataSource.query(
      `SELECT h.status, count(*)::int AS n, bool_and(h.at = o.status_changed_at AND h.at > now() - interval '1 minute') AS at_move_time
       FROM order_status_changes h JOIN orders o ON o.id = h.order_id
       WHERE h.order_id = ANY($1) AND h.status = o.status
       GROUP BY h.status ORDER BY h.status`,
      [[...waiting, ...inProgress]],
    )) as Array<{ status: string; n: number; at_move_time: boolean }>;
    assert.deepEqual(history, [
      { status: 'DONE', n: 4, at_move_time: true },
      { status: 'IN_PROGRESS', n: 5, at_move_time: true },
    ]);
    assert.deepEqual(await historyProblems(dataSource), []);
  });

  it('never moves an order twice in one tick, however many batches the tick takes', async () => {
    const { dataSource } = db;
    const waiting = await insertOrders(dataSource, { count: 40, status: 'WAITING', ageSeconds: DUE });
    const inProgress = await insertOrders(dataSource, { count: 33, status: 'IN_PROGRESS', ageSeconds: DUE + 10 });

    const result = await advanceDueOrders(dataSource, { stageSeconds: STAGE_SECONDS, batchSize: 7 });

    assert.deepEqual(movedOf(result), { 'WAITING->IN_PROGRESS': 40, 'IN_PROGRESS->DONE': 33 });
    assert.equal(result.batches, Math.ceil(73 / 7));
    assert.deepEqual(await countByStatus(dataSource, waiting), { IN_PROGRESS: 40 });
    assert.deepEqual(await countByStatus(dataSource, inProgress), { DONE: 33 });
    assert.deepEqual(await historyProblems(dataSource), []);
  });

  it('is idempotent: a tick delivered twice moves nothing the second time', async () => {
    const { dataSource } = db;
    await insertOrders(dataSource, { count: 20, status: 'WAITING', ageSeconds: DUE });
    await insertOrders(dataSource, { count: 20, status: 'IN_PROGRESS', ageSeconds: DUE });

    const first = await advanceDueOrders(dataSource, { stageSeconds: STAGE_SECONDS });
    const statusesAfterFirst = await countByStatus(dataSource);
    const [historyAfterFirst] = (await dataSource.query(`SELECT count(*)::int AS n FROM order_status_changes`)) as Array<{ n: number }>;
    const second = await advanceDueOrders(dataSource, { stageSeconds: STAGE_SECONDS });

    assert.equal(first.moved, 40);
    assert.equal(second.moved, 0);
    assert.deepEqual(await countByStatus(dataSource), statusesAfterFirst);
    assert.deepEqual(await dataSource.query(`SELECT count(*)::int AS n FROM order_status_changes`), [historyAfterFirst]);
  });

  it('concurrent ticks move each due order of one backlog exactly once between them', async () => {
    const { dataSource } = db;
    const waiting = await insertOrders(dataSource, { count: 2000, status: 'WAITING', ageSeconds: DUE });
    const inProgress = await insertOrders(dataSource, { count: 2000, status: 'IN_PROGRESS', ageSeconds: DUE });

    const results = await Promise.all(
      Array.from({ length: 4 }, () => advanceDueOrders(dataSource, { stageSeconds: STAGE_SECONDS, batchSize: 250 })),
    );
    // A tick that waited for another's batch finds it moved and stops early; whatever it left is a later tick's.
    const leftOver = await advanceDueOrders(dataSource, { stageSeconds: STAGE_SECONDS, batchSize: 250 });

    const movedTogether = [...results, leftOver].reduce(
      (sum, result) => {
        for (const [key, moved] of Object.entries(movedOf(result))) sum[key] = (sum[key] ?? 0) + moved;
        return sum;
      },
      {} as Record<string, number>,
    );
    assert.deepEqual(movedTogether, { 'WAITING->IN_PROGRESS': 2000, 'IN_PROGRESS->DONE': 2000 });
    assert.deepEqual(await countByStatus(dataSource, waiting), { IN_PROGRESS: 2000 });
    assert.deepEqual(await countByStatus(dataSource, inProgress), { DONE: 2000 });
    assert.deepEqual(await historyProblems(dataSource), []);
  });

  it('sends the same number of statements for 10 and for 10,000 due orders', async () => {
    const { dataSource } = db;
    const statementsFor = async (count: number, batchSize: number) => {
      await dataSource.query(`TRUNCATE order_status_changes, orders CASCADE`);
      await insertOrders(dataSource, { count: count / 2, status: 'WAITING', ageSeconds: DUE });
      await insertOrders(dataSource, { count: count / 2, status: 'IN_PROGRESS', ageSeconds: DUE });
      counter.statements = [];
      const result = await advanceDueOrders(dataSource, { stageSeconds: STAGE_SECONDS, batchSize });
      assert.equal(result.moved, count);
      assert.equal(result.statements, counter.statements.length, 'the reported statement count is the measured one');
      return counter.statements.length;
    };

    const forTen = await statementsFor(10, 20_000);
    const forTenThousand = await statementsFor(10_000, 20_000);
    assert.equal(forTen, 1);
    assert.equal(forTenThousand, forTen);
    // Bounded batches: one statement per batch of 1,000, plus the one that finds the backlog empty.
    assert.equal(await statementsFor(10_000, 1000), 11);
  });

  it('races cancels against ticks: each order ends in one valid state and its stock comes back exactly once', async () => {
    const { dataSource } = db;
    const initialStock = 100_000;
    const dishIds = (
      (await dataSource.query(
        `INSERT INTO dishes (name, price, quantity) SELECT 'Dish ' || n, 9.50, $1 FROM generate_series(1, 3) AS n RETURNING id`,
        [initialStock],
      )) as Array<{ id: string }>
    ).map((row) => row.id);

    // Stamped with clock_timestamp(), not now(): now() is the transaction's start, which can be
    // earlier than a tick that committed while this cancel waited for the row.
    const cancel = (orderId: string) =>
      dataSource.transaction(async (manager) => {
        const cancelled = (await manager.query(
          `WITH cancelled AS (
             UPDATE orders SET status = 'CANCELLED', status_changed_at = clock_timestamp(), updated_at = clock_timestamp()
             WHERE id = $1 AND status = ANY($2) RETURNING id
           ) SELECT id FROM cancelled`,
          [orderId, ACTIVE_STATUSES],
        )) as unknown[];
        if (cancelled.length === 0) return false;
        await manager.query(
          `UPDATE dishes SET quantity = dishes.quantity + items.quantity
           FROM order_items items WHERE items.order_id = $1 AND dishes.id = items.dish_id`,
          [orderId],
        );
        await manager.query(`INSERT INTO order_status_changes (order_id, status, at) SELECT id, status, status_changed_at FROM orders WHERE id = $1`, [orderId]);
        return true;
      });

    let cancelledByCalls = 0;
    const rounds = 12;
    for (let round = 0; round < rounds; round += 1) {
      const waiting = await insertOrders(dataSource, { count: 30, status: 'WAITING', ageSeconds: DUE });
      const inProgress = await insertOrders(dataSource, { count: 30, status: 'IN_PROGRESS', ageSeconds: DUE });
      const orderIds = [...waiting, ...inProgress];
      // Each order holds 1-3 units of one dish, taken from stock as placing the order would.
      await dataSource.query(
        `WITH lines AS (
           INSERT INTO order_items (order_id, dish_id, quantity, unit_price)
           SELECT id, ($2::uuid[])[1 + ordinality % 3], 1 + ordinality % 3, 9.50
           FROM unnest($1::uuid[]) WITH ORDINALITY AS ids (id, ordinality)
           RETURNING dish_id, quantity
         )
         UPDATE dishes SET quantity = dishes.quantity - taken.units
         FROM (SELECT dish_id, sum(quantity)::int AS units FROM lines GROUP BY dish_id) AS taken
         WHERE dishes.id = taken.dish_id`,
        [orderIds, dishIds],
      );

      const shuffled = [...orderIds].sort(() => Math.random() - 0.5);
      const tasks: Array<Promise<unknown>> = [];
      shuffled.forEach((orderId, index) => {
        if (index % 15 === 0) tasks.push(advanceDueOrders(dataSource, { stageSeconds: STAGE_SECONDS, batchSize: 4 }));
        tasks.push(cancel(orderId).then((cancelled) => (cancelledByCalls += cancelled ? 1 : 0)));
      });
      await Promise.all(tasks);

      // Every cancel ran: a WAITING order cannot have reached DONE in this round, an IN_PROGRESS
      // one is DONE only if a tick finished it before its cancel came.
      assert.deepEqual(await countByStatus(dataSource, waiting), { CANCELLED: 30 });
      const inProgressNow = await countByStatus(dataSource, inProgress);
      assert.equal((inProgressNow['CANCELLED'] ?? 0) + (inProgressNow['DONE'] ?? 0), 30, JSON.stringify(inProgressNow));
    }

    const [{ cancelled_orders: cancelledOrders }] = (await dataSource.query(
      `SELECT count(*)::int AS cancelled_orders FROM orders WHERE status = 'CANCELLED'`,
    )) as [{ cancelled_orders: number }];
    assert.equal(cancelledOrders, cancelledByCalls, 'each cancelled order was cancelled by exactly one call');
    const stockProblems = (await dataSource.query(
      `SELECT d.id, d.quantity, $1 - coalesce(sum(i.quantity) FILTER (WHERE o.status <> 'CANCELLED'), 0) AS expected
       FROM dishes d LEFT JOIN order_items i ON i.dish_id = d.id LEFT JOIN orders o ON o.id = i.order_id
       GROUP BY d.id HAVING d.quantity <> $1 - coalesce(sum(i.quantity) FILTER (WHERE o.status <> 'CANCELLED'), 0)`,
      [initialStock],
    )) as unknown[];
    assert.deepEqual(stockProblems, [], 'stock equals the initial stock minus the units of orders not cancelled');
    assert.deepEqual(await historyProblems(dataSource), []);
  });

  it('fails loudly when the orders tables do not exist', async () => {
    await db.dataSource.query(`ALTER TABLE orders RENAME TO orders_away`);
    try {
      await assert.rejects(advanceDueOrders(db.dataSource, { stageSeconds: STAGE_SECONDS }), /relation "orders" does not exist/);
    } finally {
      await db.dataSource.query(`ALTER TABLE orders_away RENAME TO orders`);
    }
  });
});
