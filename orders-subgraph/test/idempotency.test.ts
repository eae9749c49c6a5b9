import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { OrdersHarness, PLACE_ORDER, onlyError, type Caller } from './support/harness.js';

type Placed = { placeOrder: { id: string } };

describe('placeOrder with an idempotencyKey', () => {
  let harness: OrdersHarness;
  let manager: Caller;

  before(async () => {
    harness = await OrdersHarness.start('idempotency');
    manager = harness.caller('MANAGER');
  });
  after(async () => {
    await harness.stop();
  });

  const ordersOf = (caller: Caller) => harness.sqlValue<number>(`SELECT count(*)::int AS value FROM orders WHERE user_id = $1`, [caller.userId]);

  it('20 concurrent placeOrders with one key: one order, stock taken once, every answer the same order', async (t) => {
    const dishId = await harness.createDish(manager, { quantity: 100 });
    const customer = harness.caller('CUSTOMER');
    const input = { items: [{ dishId, quantity: 3 }], specialRequests: 'no onions', idempotencyKey: `checkout-${randomUUID()}` };
    const responses = await Promise.all(Array.from({ length: 20 }, () => harness.graphql<Placed>(PLACE_ORDER, { input }, customer)));
    const ids = new Set(responses.map((response) => response.data?.placeOrder.id ?? JSON.stringify(response.errors)));
    t.diagnostic(`20 concurrent placeOrders, one key: ${ids.size} distinct answer(s); orders ${await ordersOf(customer)}; stock ${await harness.stockOf(dishId)} of 100`);
    assert.equal(ids.size, 1, [...ids].join('\n'));
    assert.match([...ids][0]!, /^[0-9a-f-]{36}$/);
    assert.equal(await ordersOf(customer), 1);
    assert.equal(await harness.stockOf(dishId), 97);
  });

  it('a retry after the answer was lost returns the first order and reserves nothing again', async () => {
    const dishId = await harness.createDish(manager, { quantity: 10 });
    const customer = harness.caller('CUSTOMER');
    const input = { items: [{ dishId, quantity: 2 }], idempotencyKey: 'retry-me' };
    const first = await harness.graphql<Placed>(PLACE_ORDER, { input }, customer);
    const again = await harness.graphql<Placed>(PLACE_ORDER, { input }, customer);
    assert.equal(again.data?.placeOrder.id, first.data?.placeOrder.id);
    assert.equal(await harness.stockOf(dishId), 8);
  });

  it('the same key with other items or other specialRequests is CONFLICT naming input.idempotencyKey', async () => {
    const [a, b] = [await harness.createDish(manager, { quantity: 10 }), await harness.createDish(manager, { quantity: 10 })];
    const customer = harness.caller('CUSTOMER');
    const idempotencyKey = `k-${randomUUID()}`;
    const first = await harness.graphql<Placed>(PLACE_ORDER, { input: { items: [{ dishId: a, quantity: 1 }], idempotencyKey } }, customer);
    assert.ok(first.data?.placeOrder.id, JSON.stringify(first.errors));
    for (const input of [
      { items: [{ dishId: b, quantity: 1 }], idempotencyKey },
      { items: [{ dishId: a, quantity: 2 }], idempotencyKey },
      { items: [{ dishId: a, quantity: 1 }], specialRequests: 'extra spicy', idempotencyKey },
    ]) {
      const error = onlyError(await harness.graphql(PLACE_ORDER, { input }, customer));
      assert.equal(error.extensions.code, 'CONFLICT', error.message);
      assert.equal(error.extensions.field, 'input.idempotencyKey');
    }
    assert.equal(await harness.stockOf(a), 9);
    assert.equal(await harness.stockOf(b), 10);
  });

  it("another user's same key is independent", async () => {
    const dishId = await harness.createDish(manager, { quantity: 10 });
    const input = { items: [{ dishId, quantity: 1 }], idempotencyKey: 'shared-key' };
    const [one, two] = [harness.caller('CUSTOMER'), harness.caller('CUSTOMER')];
    const first = await harness.graphql<Placed>(PLACE_ORDER, { input }, one);
    const second = await harness.graphql<Placed>(PLACE_ORDER, { input }, two);
    assert.ok(first.data?.placeOrder.id && second.data?.placeOrder.id);
    assert.notEqual(first.data.placeOrder.id, second.data.placeOrder.id);
    assert.equal(await harness.stockOf(dishId), 8);
  });

  it('a failed first call leaves the key free: the retry does the work', async () => {
    const dishId = await harness.createDish(manager, { quantity: 1 });
    const customer = harness.caller('CUSTOMER');
    const idempotencyKey = `k-${randomUUID()}`;
    const tooMany = await harness.graphql(PLACE_ORDER, { input: { items: [{ dishId, quantity: 2 }], idempotencyKey } }, customer);
    assert.equal(onlyError(tooMany).extensions.code, 'INSUFFICIENT_STOCK');
    const placed = await harness.graphql<Placed>(PLACE_ORDER, { input: { items: [{ dishId, quantity: 1 }], idempotencyKey } }, customer);
    assert.ok(placed.data?.placeOrder.id, JSON.stringify(placed.errors));
  });

  it('a key older than 24 hours may be used again for a new order', async () => {
    const dishId = await harness.createDish(manager, { quantity: 10 });
    const customer = harness.caller('CUSTOMER');
    const input = { items: [{ dishId, quantity: 1 }], idempotencyKey: 'daily' };
    const first = await harness.graphql<Placed>(PLACE_ORDER, { input }, customer);
    await harness.app.dataSource.query(`UPDATE order_idempotency_keys SET created_at = now() - interval '24 hours 1 second' WHERE user_id = $1`, [customer.userId]);
    const later = await harness.graphql<Placed>(PLACE_ORDER, { input: { ...input, items: [{ dishId, quantity: 2 }] } }, customer);
    assert.ok(later.data?.placeOrder.id, JSON.stringify(later.errors));
    assert.notEqual(later.data.placeOrder.id, first.data?.placeOrder.id);
    assert.equal(await harness.stockOf(dishId), 7);
  });

  it('a key must be 1-100 characters without control characters', async () => {
    const dishId = await harness.createDish(manager, { quantity: 10 });
    const customer = harness.caller('CUSTOMER');
    for (const idempotencyKey of ['', 'x'.repeat(101), 'a\u0000b']) {
      const error = onlyError(await harness.graphql(PLACE_ORDER, { input: { items: [{ dishId, quantity: 1 }], idempotencyKey } }, customer));
      assert.equal(error.extensions.code, 'BAD_USER_INPUT');
      assert.equal(error.extensions.field, 'input.idempotencyKey');
    }
  });
});
