import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { StatementCounter } from '@dishpatch/shared/testing';
import { advanceDueOrders } from '@dishpatch/orders-core/kitchen-clock';
import { ACTIVE_STATUSES, cancelIfIn } from '@dishpatch/orders-core/orders';
import { countByStatus, createOrdersTestDatabase, historyProblems, insertOrders, ORDER_HISTORY_ROWS, statusesOf, type OrdersTestDatabase } from '@dishpatch/orders-core/testing';

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
    await db.dataSource.query(`TRUNCATE order_idempotency_keys, order_status_events, order_items, orders, dishes`);
  });

  it('moves every due order exactly one stage, keeps its history, records its event, and leaves the rest alone', async () => {
    const { dataSource } = db;
    const waiting = await insertOrders(dataSource, { count: 5, status: 'WAITING', ageSeconds: DUE });
    const inProgress = await insertOrders(dataSource, { count: 4, status: 'IN_PROGRESS', ageSeconds: DUE });
    const fresh = await insertOrders(dataSource, { count: 3, status: 'WAITING', ageSeconds: 5 });
    const final = [
      ...(await insertOrders(dataSource, { count: 2, status: 'DONE', ageSeconds: DUE })),
      ...(await insertOrders(dataSource, { count: 2, status: 'CANCELLED', ageSeconds: DUE })),
    ];
    const finalBefore = await statusesOf(dataSource, final);
    const before = (await dataSource.query(`SELECT id, status_changed_at::text AS entered, status FROM orders WHERE id = ANY($1)`, [[...waiting, ...inProgress]])) as Array<{
      id: string;
      entered: string;
      status: string;
    }>;

    const [{ lastEvents }] = (await dataSource.query(`SELECT coalesce(max(id), 0)::text AS "lastEvents" FROM order_status_events`)) as [{ lastEvents: string }];

    const result = await advanceDueOrders(dataSource, { stageSeconds: STAGE_SECONDS });

    assert.deepEqual(movedOf(result), { 'WAITING->IN_PROGRESS': 5, 'IN_PROGRESS->DONE': 4 });
    assert.equal(result.moved, 9);
    // Orders that entered IN_PROGRESS in this tick did not also finish in it.
    assert.deepEqual(await countByStatus(dataSource, waiting), { IN_PROGRESS: 5 });
    assert.deepEqual(await countByStatus(dataSource, inProgress), { DONE: 4 });
    assert.deepEqual(await countByStatus(dataSource, fresh), { WAITING: 3 });
    assert.deepEqual(await statusesOf(dataSource, final), finalBefore);

    // The stage each order left keeps when it began; the new one began at the move.
    const history = (await dataSource.query(
      `SELECT h.status, h.status = before.status AS left_stage, count(*)::int AS n,
              bool_and(h.at = before.entered) AS kept, bool_and(h.at > now() - interval '1 minute') AS at_move_time
       FROM ${ORDER_HISTORY_ROWS} h JOIN unnest($1::uuid[], $2::timestamptz[], $3::text[]) AS before (id, entered, status) ON before.id = h.order_id
       JOIN orders o ON o.id = h.order_id
       WHERE h.status IN (before.status, o.status)
       GROUP BY 1, 2 ORDER BY 1, 2`,
      [before.map((row) => row.id), before.map((row) => row.entered), before.map((row) => row.status)],
    )) as Array<{ status: string; left_stage: boolean; n: number; kept: boolean; at_move_time: boolean }>;
    assert.deepEqual(history, [
      { status: 'DONE', left_stage: false, n: 4, kept: false, at_move_time: true },
      { status: 'IN_PROGRESS', left_stage: false, n: 5, kept: false, at_move_time: true },
      { status: 'IN_PROGRESS', left_stage: true, n: 4, kept: true, at_move_time: false },
      { status: 'WAITING', left_stage: true, n: 5, kept: true, at_move_time: false },
    ]);
    // One events row for the batch: each moved order once, with its new status and the time of its move.
    const events = (await dataSource.query(
      `SELECT move.order_id, move.status, move.at = o.status_changed_at AS at_move
       FROM order_status_events e CROSS JOIN LATERAL unnest(e.order_ids, e.statuses, e.ats) AS move (order_id, status, at)
       JOIN orders o ON o.id = move.order_id WHERE e.id > $1 ORDER BY move.order_id`,
      [lastEvents],
    )) as Array<{ order_id: string; status: string; at_move: boolean }>;
    assert.deepEqual(
      events,
      [...waiting.map((id) => ({ order_id: id, status: 'IN_PROGRESS', at_move: true })), ...inProgress.map((id) => ({ order_id: id, status: 'DONE', at_move: true }))].sort((a, b) =>
        a.order_id < b.order_id ? -1 : 1,
      ),
    );
    assert.equal(((await dataSource.query(`SELECT count(*)::int AS n FROM order_status_events WHERE id > $1`, [lastEvents])) as Array<{ n: number }>)[0]!.n, 1);
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
    const [historyAfterFirst] = (await dataSource.query(`SELECT coalesce(sum(cardinality(order_ids)), 0)::int AS n FROM order_status_events`)) as Array<{ n: number }>;
    const second = await advanceDueOrders(dataSource, { stageSeconds: STAGE_SECONDS });

    assert.equal(first.moved, 40);
    assert.equal(second.moved, 0);
    assert.deepEqual(await countByStatus(dataSource), statusesAfterFirst);
    assert.deepEqual(await dataSource.query(`SELECT coalesce(sum(cardinality(order_ids)), 0)::int AS n FROM order_status_events`), [historyAfterFirst]);
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
      await dataSource.query(`TRUNCATE order_status_events, orders CASCADE`);
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
    // Bounded batches: one statement per batch of 1,000, plus the one that finds the backlog empty,
    // plus the cleanup hold's: 2 to take it beside the second batch, 1 beside each later one (9), 1 to let it go.
    assert.equal(await statementsFor(10_000, 1000), 11 + 2 + 9 + 1);
  });

  it('holds back cleanup of the versions it replaces from its second batch to its end, and lets go, failed or not', async () => {
    const { dataSource } = db;
    await insertOrders(dataSource, { count: 30, status: 'WAITING', ageSeconds: DUE });
    // Client sessions of this database, other than the one asking, whose snapshot holds back cleanup.
    const holding = async () =>
      ((await dataSource.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL`,
      )) as Array<{ n: number }>)[0]!.n;
    const holdingBeforeBatch: number[] = [];
    const watched = {
      options: dataSource.options,
      createQueryRunner: () => dataSource.createQueryRunner(),
      async query(sql: string, parameters?: unknown[]) {
        holdingBeforeBatch.push(await holding());
        return dataSource.query(sql, parameters);
      },
    };

    const result = await advanceDueOrders(watched, { stageSeconds: STAGE_SECONDS, batchSize: 5 });

    assert.equal(result.moved, 30);
    assert.equal(result.batches, 7);
    // Before the first batch nothing holds; the hold is taken beside the second; from the third on, one session holds.
    assert.equal(holdingBeforeBatch[0], 0);
    assert.deepEqual(holdingBeforeBatch.slice(2), [1, 1, 1, 1, 1]);
    assert.equal(await holding(), 0, 'the hold ends with the tick');

    // A batch that fails fails the tick with its own error, and the hold still ends.
    await dataSource.query(`TRUNCATE order_status_events, orders CASCADE`);
    await insertOrders(dataSource, { count: 30, status: 'WAITING', ageSeconds: DUE });
    let batch = 0;
    const failing = {
      ...watched,
      async query(sql: string, parameters?: unknown[]) {
        batch += 1;
        if (batch === 3) throw new Error('batch 3 failed');
        return dataSource.query(sql, parameters);
      },
    };
    await assert.rejects(advanceDueOrders(failing, { stageSeconds: STAGE_SECONDS, batchSize: 5 }), /batch 3 failed/);
    assert.equal(await holding(), 0, 'the hold ends with the failed tick');
    const idleInTransaction = (await dataSource.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
    )) as Array<{ n: number }>;
    assert.equal(idleInTransaction[0]!.n, 0, 'no pooled connection is left inside a transaction');
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

    // The service's own cancel (status, history, event and stock in one transaction), as staff would.
    const cancel = (orderId: string) => dataSource.transaction((manager) => cancelIfIn(manager, orderId, ACTIVE_STATUSES));

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
