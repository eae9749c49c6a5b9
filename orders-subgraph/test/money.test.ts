import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ACCEPTED, REFUSED } from '@dishpatch/orders-core/testing';
import { OrdersHarness, PLACE_ORDER, onlyError, type Caller } from './support/harness.js';

describe('Money over HTTP', () => {
  let harness: OrdersHarness;
  let manager: Caller;

  before(async () => {
    harness = await OrdersHarness.start('money');
    manager = harness.caller('MANAGER');
  });
  after(async () => {
    await harness.stop();
  });

  const asLiteral = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : String(value));

  it('accepts valid prices as literals and as variables and serializes two fraction digits', async () => {
    for (const [given, stored] of ACCEPTED) {
      const literal = await harness.graphql(`mutation { createDish(input: { name: "Soup", price: ${asLiteral(given)}, quantity: 1 }) { price } }`, {}, manager);
      assert.equal(literal.data?.createDish.price, stored, `literal ${given}`);
      const variable = await harness.graphql(
        `mutation ($input: CreateDishInput!) { createDish(input: $input) { price } }`,
        { input: { name: 'Soup', price: given, quantity: 1 } },
        manager,
      );
      assert.equal(variable.data?.createDish.price, stored, `variable ${given}`);
    }
  });

  it('refuses bad prices with BAD_USER_INPUT naming input.price, as a literal and as a variable, and stores nothing', async () => {
    const before = await harness.sqlValue<number>(`SELECT count(*)::int AS value FROM dishes`);
    for (const [given, problem] of REFUSED) {
      const literal = onlyError(
        await harness.graphql(`mutation { createDish(input: { name: "Soup", price: ${asLiteral(given)}, quantity: 1 }) { id } }`, {}, manager),
      );
      assert.equal(literal.extensions.code, 'BAD_USER_INPUT', `literal ${JSON.stringify(given)}: ${literal.message}`);
      assert.equal(literal.extensions.field, 'input.price');
      assert.match(literal.message, /^input\.price: /);
      assert.match(literal.message, problem);

      const variable = onlyError(
        await harness.graphql(
          `mutation ($input: CreateDishInput!) { createDish(input: $input) { id } }`,
          { input: { name: 'Soup', price: given, quantity: 1 } },
          manager,
        ),
      );
      assert.equal(variable.extensions.code, 'BAD_USER_INPUT', `variable ${JSON.stringify(given)}: ${variable.message}`);
      assert.equal(variable.extensions.field, 'input.price');
      assert.match(variable.message, problem);
    }
    assert.equal(await harness.sqlValue<number>(`SELECT count(*)::int AS value FROM dishes`), before);
  });

  it('refuses a bad price in updateDish the same way, and an explicit null', async () => {
    const dishId = await harness.createDish(manager, { price: '5.00' });
    const bad = onlyError(await harness.graphql(`mutation ($id: ID!) { updateDish(id: $id, input: { price: "5.001" }) { id } }`, { id: dishId }, manager));
    assert.equal(bad.extensions.code, 'BAD_USER_INPUT');
    assert.equal(bad.extensions.field, 'input.price');
    const nulled = onlyError(await harness.graphql(`mutation ($id: ID!) { updateDish(id: $id, input: { price: null }) { id } }`, { id: dishId }, manager));
    assert.equal(nulled.message, 'input.price: must not be null');
    assert.equal(await harness.sqlValue<string>(`SELECT price::text AS value FROM dishes WHERE id = $1`, [dishId]), '5.00');
  });

  it('computes 3 × 12.10 = 36.30 exactly for an order', async () => {
    const dishId = await harness.createDish(manager, { price: '12.10', quantity: 5 });
    const other = await harness.createDish(manager, { price: '0.10', quantity: 5 });
    const placed = await harness.graphql(PLACE_ORDER, { input: { items: [{ dishId, quantity: 3 }, { dishId: other, quantity: 3 }] } }, harness.caller('CUSTOMER'));
    const order = placed.data?.placeOrder;
    const line = order.items.find((item: { dish: { id: string } }) => item.dish.id === dishId);
    assert.deepEqual({ price: line.price, subtotal: line.subtotal }, { price: '12.10', subtotal: '36.30' });
    assert.equal(order.total, '36.60');
  });
});
