import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { OrdersHarness, PLACE_ORDER, onlyError, type Caller } from './support/harness.js';

const CREATE = `mutation ($input: CreateDishInput!) { createDish(input: $input) { id name description price quantity isAvailable createdAt updatedAt } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateDishInput!) { updateDish(id: $id, input: $input) { id name description price quantity isAvailable } }`;
const DELETE = `mutation ($id: ID!) { deleteDish(id: $id) }`;

describe('dishes', () => {
  let harness: OrdersHarness;
  let manager: Caller;
  let chef: Caller;
  let customer: Caller;

  before(async () => {
    harness = await OrdersHarness.start('dishes');
    manager = harness.caller('MANAGER');
    chef = harness.caller('CHEF');
    customer = harness.caller('CUSTOMER');
  });
  after(async () => {
    await harness.stop();
  });

  describe('createDish', () => {
    it('creates a dish, trimming the name and defaulting isAvailable to true', async () => {
      const result = await harness.graphql(CREATE, { input: { name: '  Tomato soup ', description: 'Hot', price: '6.5', quantity: 4 } }, manager);
      assert.equal(result.errors, undefined);
      const dish = result.data?.createDish;
      assert.equal(dish.name, 'Tomato soup');
      assert.equal(dish.price, '6.50');
      assert.equal(dish.isAvailable, true);
      assert.equal(dish.quantity, 4);
      assert.match(dish.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    });

    it('is MANAGER only: UNAUTHENTICATED without a token, FORBIDDEN for a chef or a customer', async () => {
      const input = { name: 'Soup', price: '1.00', quantity: 1 };
      assert.equal(onlyError(await harness.graphql(CREATE, { input })).extensions.code, 'UNAUTHENTICATED');
      assert.equal(onlyError(await harness.graphql(CREATE, { input }, chef)).extensions.code, 'FORBIDDEN');
      assert.equal(onlyError(await harness.graphql(CREATE, { input }, customer)).extensions.code, 'FORBIDDEN');
      assert.equal(onlyError(await harness.graphql(CREATE, { input }, 'not-a-token')).extensions.code, 'UNAUTHENTICATED');
    });

    it('validates every field, naming it', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ name: '   ' }, 'input.name'],
        [{ name: 'x'.repeat(101) }, 'input.name'],
        [{ quantity: -1 }, 'input.quantity'],
        [{ price: '0' }, 'input.price'],
        [{ isAvailable: null }, 'input.isAvailable'],
        [{ description: 'd'.repeat(2001) }, 'input.description'],
      ];
      for (const [override, field] of cases) {
        const error = onlyError(await harness.graphql(CREATE, { input: { name: 'Soup', price: '1.00', quantity: 1, ...override } }, manager));
        assert.equal(error.extensions.code, 'BAD_USER_INPUT', JSON.stringify(override));
        assert.equal(error.extensions.field, field);
        assert.ok(error.message.startsWith(`${field}: `), error.message);
      }
      // 100 characters is the limit, counted as characters, not UTF-16 units.
      const longest = await harness.graphql(CREATE, { input: { name: '🍜'.repeat(100), price: '1.00', quantity: 0 } }, manager);
      assert.equal(longest.data?.createDish.name, '🍜'.repeat(100));
    });
  });

  describe('updateDish', () => {
    it('changes only the given fields and clears description with null', async () => {
      const dishId = await harness.createDish(manager, { name: 'Stew', price: '9.00', quantity: 3 });
      await harness.graphql(UPDATE, { id: dishId, input: { description: 'Slow cooked' } }, manager);
      const result = await harness.graphql(UPDATE, { id: dishId, input: { price: '9.5', quantity: 7 } }, manager);
      assert.deepEqual(result.data?.updateDish, { id: dishId, name: 'Stew', description: 'Slow cooked', price: '9.50', quantity: 7, isAvailable: true });
      const cleared = await harness.graphql(UPDATE, { id: dishId, input: { description: null, isAvailable: false } }, manager);
      assert.equal(cleared.data?.updateDish.description, null);
      assert.equal(cleared.data?.updateDish.isAvailable, false);
      const untouched = await harness.graphql(UPDATE, { id: dishId, input: {} }, manager);
      assert.equal(untouched.data?.updateDish.price, '9.50');
    });

    it('refuses explicit null for fields that cannot be null, and bad values, changing nothing', async () => {
      const dishId = await harness.createDish(manager, { name: 'Pie', price: '4.00', quantity: 2 });
      for (const field of ['name', 'price', 'quantity', 'isAvailable']) {
        const error = onlyError(await harness.graphql(UPDATE, { id: dishId, input: { [field]: null } }, manager));
        assert.equal(error.extensions.code, 'BAD_USER_INPUT');
        assert.equal(error.message, `input.${field}: must not be null`);
      }
      const error = onlyError(await harness.graphql(UPDATE, { id: dishId, input: { name: 'Pie 2', quantity: -3 } }, manager));
      assert.equal(error.extensions.field, 'input.quantity');
      const row = await harness.app.dataSource.query(`SELECT name, quantity FROM dishes WHERE id = $1`, [dishId]);
      assert.deepEqual(row, [{ name: 'Pie', quantity: 2 }]);
    });

    it('NOT_FOUND for an unknown or deleted dish, BAD_USER_INPUT for a malformed id, FORBIDDEN for a chef', async () => {
      assert.equal(onlyError(await harness.graphql(UPDATE, { id: randomUUID(), input: { quantity: 1 } }, manager)).extensions.code, 'NOT_FOUND');
      const dishId = await harness.createDish(manager);
      await harness.graphql(DELETE, { id: dishId }, manager);
      assert.equal(onlyError(await harness.graphql(UPDATE, { id: dishId, input: { quantity: 1 } }, manager)).extensions.code, 'NOT_FOUND');
      assert.equal(onlyError(await harness.graphql(UPDATE, { id: dishId, input: {} }, manager)).extensions.code, 'NOT_FOUND');
      const malformed = onlyError(await harness.graphql(UPDATE, { id: 'dish-1', input: { quantity: 1 } }, manager));
      assert.deepEqual([malformed.extensions.code, malformed.extensions.field], ['BAD_USER_INPUT', 'id']);
      assert.equal(onlyError(await harness.graphql(UPDATE, { id: dishId, input: { quantity: 1 } }, chef)).extensions.code, 'FORBIDDEN');
      assert.equal(onlyError(await harness.graphql(UPDATE, { id: dishId, input: { quantity: 1 } })).extensions.code, 'UNAUTHENTICATED');
    });
  });

  describe('deleteDish', () => {
    it('takes the dish off the menu and out of ordering, keeps it in existing orders, and a second delete is NOT_FOUND', async () => {
      const dishId = await harness.createDish(manager, { name: 'Goulash', price: '11.00', quantity: 5 });
      const placed = await harness.graphql(PLACE_ORDER, { input: { items: [{ dishId, quantity: 1 }] } }, customer);
      const orderId = placed.data?.placeOrder.id;

      assert.equal((await harness.graphql(DELETE, { id: dishId }, chef)).errors?.[0]?.extensions.code, 'FORBIDDEN');
      assert.deepEqual((await harness.graphql(DELETE, { id: dishId }, manager)).data, { deleteDish: true });
      assert.equal(onlyError(await harness.graphql(DELETE, { id: dishId }, manager)).extensions.code, 'NOT_FOUND');
      assert.equal(onlyError(await harness.graphql(DELETE, { id: randomUUID() }, manager)).extensions.code, 'NOT_FOUND');
      assert.equal(onlyError(await harness.graphql(DELETE, { id: 'soup' }, manager)).extensions.field, 'id');
      assert.equal(onlyError(await harness.graphql(DELETE, { id: dishId })).extensions.code, 'UNAUTHENTICATED');

      const listings = await harness.graphql(`{ menu { id } dishes(includeUnavailable: true) { id } }`, {}, manager);
      assert.ok(!listings.data?.menu.some((dish: { id: string }) => dish.id === dishId));
      assert.ok(!listings.data?.dishes.some((dish: { id: string }) => dish.id === dishId));
      assert.equal((await harness.graphql(`query ($id: ID!) { dish(id: $id) { id } }`, { id: dishId }, manager)).data?.dish, null);

      const again = onlyError(await harness.graphql(PLACE_ORDER, { input: { items: [{ dishId, quantity: 1 }] } }, customer));
      assert.equal(again.extensions.code, 'NOT_FOUND');

      const order = await harness.graphql(`query ($id: ID!) { order(id: $id) { items { dish { id name } price } } }`, { id: orderId }, customer);
      assert.deepEqual(order.data?.order.items, [{ dish: { id: dishId, name: 'Goulash' }, price: '11.00' }]);
    });
  });

  describe('reads', () => {
    it('menu shows available, in-stock, not deleted dishes to anyone, even with a stale token', async () => {
      const onMenu = await harness.createDish(manager, { name: 'On menu', quantity: 1 });
      const soldOut = await harness.createDish(manager, { name: 'Sold out', quantity: 0 });
      const unavailable = await harness.createDish(manager, { name: 'Off', quantity: 5, isAvailable: false });
      for (const token of [undefined, 'garbage.token.here', harness.issuer.token('CUSTOMER', { ttlSeconds: -60 })]) {
        const result = await harness.graphql(`{ menu { id quantity } }`, {}, token);
        assert.equal(result.errors, undefined);
        const ids = result.data?.menu.map((dish: { id: string }) => dish.id);
        assert.ok(ids.includes(onMenu));
        assert.ok(!ids.includes(soldOut) && !ids.includes(unavailable));
        assert.ok(result.data?.menu.every((dish: { quantity: number }) => dish.quantity > 0));
      }
    });

    it('dishes lists available dishes to anyone; includeUnavailable is MANAGER only', async () => {
      const unavailable = await harness.createDish(manager, { name: 'Hidden', isAvailable: false });
      const soldOut = await harness.createDish(manager, { name: 'Empty', quantity: 0 });
      const publicList = (await harness.graphql(`{ dishes { id } }`)).data?.dishes.map((dish: { id: string }) => dish.id);
      assert.ok(publicList.includes(soldOut) && !publicList.includes(unavailable));
      assert.equal(onlyError(await harness.graphql(`{ dishes(includeUnavailable: true) { id } }`, {}, chef)).extensions.code, 'FORBIDDEN');
      assert.equal(onlyError(await harness.graphql(`{ dishes(includeUnavailable: true) { id } }`)).extensions.code, 'UNAUTHENTICATED');
      const all = (await harness.graphql(`{ dishes(includeUnavailable: true) { id } }`, {}, manager)).data?.dishes.map((dish: { id: string }) => dish.id);
      assert.ok(all.includes(unavailable) && all.includes(soldOut));
    });

    it('dish(id): any visible dish; unavailable only for managers; null when unknown; BAD_USER_INPUT for a malformed id', async () => {
      const soldOut = await harness.createDish(manager, { quantity: 0 });
      const unavailable = await harness.createDish(manager, { isAvailable: false });
      const query = `query ($id: ID!) { dish(id: $id) { id quantity } }`;
      assert.deepEqual((await harness.graphql(query, { id: soldOut })).data?.dish, { id: soldOut, quantity: 0 });
      assert.equal((await harness.graphql(query, { id: unavailable }, customer)).data?.dish, null);
      assert.equal((await harness.graphql(query, { id: unavailable }, manager)).data?.dish.id, unavailable);
      assert.equal((await harness.graphql(query, { id: randomUUID() })).data?.dish, null);
      assert.equal(onlyError(await harness.graphql(query, { id: '42' })).extensions.code, 'BAD_USER_INPUT');
    });

    it('resolves Dish entity references in one batch, deleted dishes included', async () => {
      const first = await harness.createDish(manager, { name: 'Ref one' });
      const second = await harness.createDish(manager, { name: 'Ref two' });
      await harness.graphql(DELETE, { id: second }, manager);
      const result = await harness.graphql(
        `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Dish { id name } } }`,
        { representations: [first, second, randomUUID()].map((id) => ({ __typename: 'Dish', id })) },
      );
      assert.deepEqual(result.data?._entities, [{ id: first, name: 'Ref one' }, { id: second, name: 'Ref two' }, null]);
    });
  });
});
