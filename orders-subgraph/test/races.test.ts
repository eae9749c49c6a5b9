import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { advanceDueOrders } from '@dishpatch/orders-core/kitchen-clock';
import { ORDER_HISTORY_ROWS } from '@dishpatch/orders-core/testing';
import { OrdersHarness, PLACE_ORDER, type Caller, type GraphQLResponse } from './support/harness.js';

const CANCEL = `mutation ($id: ID!) { cancelOrder(id: $id) { status } }`;
const ADVANCE = `mutation ($id: ID!) { advanceOrder(id: $id) { status } }`;

/** How many responses ended with each outcome: "ok" or the error code. */
function outcomes(responses: Array<GraphQLResponse<unknown>>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const response of responses) {
    const outcome = response.errors ? response.errors.map((error) => error.extensions.code).join('+') : 'ok';
    counts[outcome] = (counts[outcome] ?? 0) + 1;
  }
  return counts;
}

describe('races on stock and status', () => {
  let harness: OrdersHarness;
  let manager: Caller;
  let chef: Caller;

  before(async () => {
    harness = await OrdersHarness.start('races');
    manager = harness.caller('MANAGER');
    chef = harness.caller('CHEF');
  });
  after(async () => {
    await harness.stop();
  });

  async function retriesSoFar(): Promise<number> {
    const text = await (await fetch(`${harness.url}/metrics`)).text();
    return Number(/^orders_transaction_retries_total(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 'NaN');
  }

  async function placeOrder(caller: Caller, items: Array<{ dishId: string; quantity: number }>) {
    return harness.graphql<{ placeOrder: { id: string } }>(PLACE_ORDER, { input: { items } }, caller);
  }

  it('50 concurrent orders for 1 unit of a dish with 10: exactly 10 orders, stock 0, 40 INSUFFICIENT_STOCK', async (t) => {
    const dishId = await harness.createDish(manager, { quantity: 10 });
    const responses = await Promise.all(Array.from({ length: 50 }, () => placeOrder(harness.caller('CUSTOMER'), [{ dishId, quantity: 1 }])));
    const counts = outcomes(responses);
    const orders = await harness.sqlValue<number>(`SELECT count(*)::int AS value FROM order_items WHERE dish_id = $1`, [dishId]);
    const stock = await harness.stockOf(dishId);
    t.diagnostic(`50 concurrent placeOrder on stock 10: outcomes ${JSON.stringify(counts)}; orders in db ${orders}; stock left ${stock}`);
    assert.deepEqual(counts, { ok: 10, INSUFFICIENT_STOCK: 40 });
    assert.equal(orders, 10);
    assert.equal(stock, 0);
  });

  it('overlapping multi-line orders in every dish order: no deadlock reaches a client, no oversell', async (t) => {
    const initial = 40;
    const dishes = await Promise.all(Array.from({ length: 4 }, () => harness.createDish(manager, { quantity: initial })));
    const [a, b, c, d] = dishes as [string, string, string, string];
    const shapes = [[a, b], [b, a], [a, b, c, d], [d, c, b, a], [c, a, d, b], [b, d], [d, b]];
    const retriesBefore = await retriesSoFar();
    const responses = await Promise.all(
      Array.from({ length: 140 }, (_, index) => {
        const shape = shapes[index % shapes.length]!;
        return placeOrder(harness.caller('CUSTOMER'), shape.map((dishId) => ({ dishId, quantity: 1 + (index % 2) })));
      }),
    );
    const counts = outcomes(responses);
    const retries = (await retriesSoFar()) - retriesBefore;
    const accounting = (await harness.app.dataSource.query(
      `SELECT d.id, d.quantity AS remaining, coalesce(sum(i.quantity), 0)::int AS sold
         FROM dishes d LEFT JOIN order_items i ON i.dish_id = d.id WHERE d.id = ANY($1) GROUP BY d.id`,
      [dishes],
    )) as Array<{ id: string; remaining: number; sold: number }>;
    t.diagnostic(
      `140 overlapping multi-line orders over 4 dishes of ${initial}: outcomes ${JSON.stringify(counts)}; transaction retries ${retries}; ` +
        `per dish sold+remaining ${accounting.map((row) => `${row.sold}+${row.remaining}`).join(', ')}`,
    );
    assert.deepEqual(Object.keys(counts).sort(), ['INSUFFICIENT_STOCK', 'ok'], JSON.stringify(counts));
    for (const row of accounting) {
      assert.ok(row.remaining >= 0);
      assert.equal(row.sold + row.remaining, initial, `dish ${row.id}`);
    }
    // Every successful order holds all its lines: all or nothing.
    const partial = await harness.sqlValue<number>(
      `SELECT count(*)::int AS value FROM (SELECT order_id FROM order_items WHERE dish_id = ANY($1) GROUP BY order_id HAVING count(*) NOT IN (2, 4)) p`,
      [dishes],
    );
    assert.equal(partial, 0);
  });

  it('cancels racing cancels: one wins per order, the units come back exactly once', async (t) => {
    const initial = 100;
    const dishId = await harness.createDish(manager, { quantity: initial });
    const owner = harness.caller('CUSTOMER');
    const orderIds: string[] = [];
    for (let index = 0; index < 20; index += 1) orderIds.push((await placeOrder(owner, [{ dishId, quantity: 3 }])).data!.placeOrder.id);
    assert.equal(await harness.stockOf(dishId), initial - 60);

    const responses = await Promise.all(
      orderIds.flatMap((id) => [owner, owner, chef, manager, chef].map((caller) => harness.graphql(CANCEL, { id }, caller))),
    );
    const counts = outcomes(responses);
    const cancelledRows = await harness.sqlValue<number>(
      `SELECT count(*)::int AS value FROM order_status_events e CROSS JOIN LATERAL unnest(e.order_ids, e.statuses) AS move (order_id, status)
       WHERE move.order_id = ANY($1) AND move.status = 'CANCELLED'`,
      [orderIds],
    );
    const stock = await harness.stockOf(dishId);
    t.diagnostic(`100 cancels on 20 orders (5 each): outcomes ${JSON.stringify(counts)}; CANCELLED events recorded ${cancelledRows}; stock ${stock} of ${initial}`);
    assert.deepEqual(counts, { ok: 20, INVALID_TRANSITION: 80 });
    assert.equal(cancelledRows, 20);
    assert.equal(stock, initial);
  });

  it('cancels racing advances and the worker: each order ends in one valid state, stock restored only for the cancelled', async (t) => {
    const initial = 200;
    const dishId = await harness.createDish(manager, { quantity: initial });
    const owner = harness.caller('CUSTOMER');
    const orderIds: string[] = [];
    for (let index = 0; index < 30; index += 1) orderIds.push((await placeOrder(owner, [{ dishId, quantity: 2 }])).data!.placeOrder.id);

    const workerTicks = (async () => {
      for (let tick = 0; tick < 5; tick += 1) {
        await advanceDueOrders(harness.app.dataSource, { stageSeconds: 0 });
        await sleep(1);
      }
    })();
    const responses = await Promise.all(
      orderIds.flatMap((id, index) => [
        harness.graphql(CANCEL, { id }, index % 2 === 0 ? chef : owner),
        harness.graphql(ADVANCE, { id }, chef),
        harness.graphql(CANCEL, { id }, manager),
        harness.graphql(ADVANCE, { id }, manager),
      ]),
    );
    await workerTicks;
    const counts = outcomes(responses);
    assert.ok(Object.keys(counts).every((outcome) => ['ok', 'INVALID_TRANSITION'].includes(outcome)), JSON.stringify(counts));

    const rows = (await harness.app.dataSource.query(
      `SELECT o.id, o.status, array_agg(h.status ORDER BY h.at) AS history
         FROM orders o JOIN ${ORDER_HISTORY_ROWS} h ON h.order_id = o.id WHERE o.id = ANY($1) GROUP BY o.id, o.status`,
      [orderIds],
    )) as Array<{ id: string; status: string; history: string[] }>;
    const valid = new Set(['WAITING', 'WAITING,IN_PROGRESS', 'WAITING,IN_PROGRESS,DONE', 'WAITING,CANCELLED', 'WAITING,IN_PROGRESS,CANCELLED']);
    for (const row of rows) {
      assert.ok(valid.has(row.history.join(',')), `${row.id}: ${row.history.join(',')}`);
      assert.equal(row.history.at(-1), row.status);
    }
    const cancelled = rows.filter((row) => row.status === 'CANCELLED').length;
    const stock = await harness.stockOf(dishId);
    const finals = rows.reduce<Record<string, number>>((acc, row) => ({ ...acc, [row.status]: (acc[row.status] ?? 0) + 1 }), {});
    t.diagnostic(`30 orders, 2 cancels + 2 advances each + 5 worker ticks: outcomes ${JSON.stringify(counts)}; final ${JSON.stringify(finals)}; stock ${stock}`);
    assert.equal(rows.length, 30);
    assert.equal(stock, initial - 2 * (30 - cancelled));
  });
});
