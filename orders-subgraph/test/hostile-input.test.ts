import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OrdersHarness, PLACE_ORDER, onlyError, type Caller } from './support/harness.js';

const CREATE_DISH = `mutation ($input: CreateDishInput!) { createDish(input: $input) { id quantity } }`;
const UPDATE_DISH = `mutation ($id: ID!, $input: UpdateDishInput!) { updateDish(id: $id, input: $input) { id quantity } }`;
const CANCEL = `mutation ($id: ID!) { cancelOrder(id: $id) { status } }`;
const MY_ORDERS = `query ($after: String) { myOrders(first: 5, after: $after) { edges { cursor } } }`;

/** A cursor of the right shape (timestamptz text, uuid) holding the given time. */
function cursorAt(createdAt: string): string {
  return Buffer.from(JSON.stringify([createdAt, '00000000-0000-4000-8000-000000000000']), 'utf8').toString('base64url');
}

describe('input that used to reach PostgreSQL and come back as INTERNAL_SERVER_ERROR', () => {
  let harness: OrdersHarness;
  let manager: Caller;
  let customer: Caller;
  let dishId: string;

  before(async () => {
    harness = await OrdersHarness.start('hostile_input');
    manager = harness.caller('MANAGER');
    customer = harness.caller('CUSTOMER');
    dishId = await harness.createDish(manager, { quantity: 100 });
  });
  after(async () => {
    await harness.stop();
  });

  function expectBadInput(response: Parameters<typeof onlyError>[0], field: string): void {
    const error = onlyError(response);
    assert.equal(error.extensions.code, 'BAD_USER_INPUT', JSON.stringify(error));
    assert.equal(error.extensions.field, field);
  }

  it('a NUL byte in specialRequests', async () => {
    expectBadInput(await harness.graphql(PLACE_ORDER, { input: { items: [{ dishId, quantity: 1 }], specialRequests: 'no\u0000onions' } }, customer), 'input.specialRequests');
  });

  it("a NUL byte in a dish's name or description, on create and on update", async () => {
    expectBadInput(await harness.graphql(CREATE_DISH, { input: { name: 'So\u0000up', price: '1.00', quantity: 1 } }, manager), 'input.name');
    expectBadInput(await harness.graphql(CREATE_DISH, { input: { name: 'Soup', description: 'hot\u0000', price: '1.00', quantity: 1 } }, manager), 'input.description');
    expectBadInput(await harness.graphql(UPDATE_DISH, { id: dishId, input: { name: '\u0000' } }, manager), 'input.name');
    expectBadInput(await harness.graphql(UPDATE_DISH, { id: dishId, input: { description: 'a\u0000b' } }, manager), 'input.description');
  });

  it('a dish name made only of control, bidi or zero-width characters', async () => {
    for (const name of ['\u200b\u200c\u200d', '\u202e\u2066', '\u0001\u0002', '\ufeff \u2060']) {
      expectBadInput(await harness.graphql(CREATE_DISH, { input: { name, price: '1.00', quantity: 1 } }, manager), 'input.name');
    }
  });

  it('a cursor of the right shape with an impossible time', async () => {
    for (const createdAt of ['2026-01-01 99:00:00+00', '0000-01-01 00:00:00+00', '2026-01-01 12:61:00+00', '2026-01-01 12:00:00+99']) {
      expectBadInput(await harness.graphql(MY_ORDERS, { after: cursorAt(createdAt) }, customer), 'after');
    }
    const fine = await harness.graphql(MY_ORDERS, { after: cursorAt('2026-01-01 12:00:00.123456+00') }, customer);
    assert.equal(fine.errors, undefined, JSON.stringify(fine.errors));
  });

  it('stock near 2^31: refused at input, so a cancel can never overflow it', async () => {
    expectBadInput(await harness.graphql(CREATE_DISH, { input: { name: 'Rice', price: '1.00', quantity: 2 ** 31 - 1 } }, manager), 'input.quantity');
    const id = await harness.createDish(manager, { quantity: 1_000_000_000 });
    const placed = await harness.graphql<{ placeOrder: { id: string } }>(PLACE_ORDER, { input: { items: [{ dishId: id, quantity: 100 }] } }, customer);
    assert.ok(placed.data?.placeOrder.id, JSON.stringify(placed.errors));
    expectBadInput(await harness.graphql(UPDATE_DISH, { id, input: { quantity: 2 ** 31 - 50 } }, manager), 'input.quantity');
    const updated = await harness.graphql(UPDATE_DISH, { id, input: { quantity: 1_000_000_000 } }, manager);
    assert.equal(updated.errors, undefined);
    const cancelled = await harness.graphql<{ cancelOrder: { status: string } }>(CANCEL, { id: placed.data.placeOrder.id }, customer);
    assert.equal(cancelled.data?.cancelOrder.status, 'CANCELLED', JSON.stringify(cancelled.errors));
    assert.equal(await harness.stockOf(id), 1_000_000_100);
  });
});
