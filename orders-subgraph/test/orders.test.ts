import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { OrdersHarness, PLACE_ORDER, onlyError, type Caller, type GraphQLResponse } from './support/harness.js';

interface OrderPageBody {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ node: { id: string } }>;
}

const CANCEL = `mutation ($id: ID!) { cancelOrder(id: $id) { id status statusHistory { status } } }`;
const ADVANCE = `mutation ($id: ID!) { advanceOrder(id: $id) { id status statusHistory { status at } } }`;
const ORDER = `query ($id: ID!) { order(id: $id) { id status total customer { id } } }`;

describe('orders', () => {
  let harness: OrdersHarness;
  let manager: Caller;
  let chef: Caller;
  let customer: Caller;

  before(async () => {
    harness = await OrdersHarness.start('orders');
    manager = harness.caller('MANAGER');
    chef = harness.caller('CHEF');
    customer = harness.caller('CUSTOMER');
  });
  after(async () => {
    await harness.stop();
  });

  async function place(caller: Caller, items: Array<{ dishId: string; quantity: number }>, specialRequests?: string) {
    const result = await harness.graphql(PLACE_ORDER, { input: { items, specialRequests } }, caller);
    if (!result.data?.placeOrder) throw new Error(`placeOrder failed: ${JSON.stringify(result.errors)}`);
    return result.data.placeOrder as { id: string; status: string; total: string; specialRequests: string | null };
  }

  describe('placeOrder', () => {
    it('takes the units, stores the price of the moment, writes items and the WAITING history', async () => {
      const soup = await harness.createDish(manager, { price: '4.25', quantity: 10 });
      const bread = await harness.createDish(manager, { price: '1.10', quantity: 3 });
      const result = await harness.graphql(
        PLACE_ORDER,
        { input: { items: [{ dishId: soup, quantity: 2 }, { dishId: bread, quantity: 3 }], specialRequests: '  no onions ' } },
        customer,
      );
      assert.equal(result.errors, undefined);
      const order = result.data?.placeOrder;
      assert.equal(order.status, 'WAITING');
      assert.equal(order.total, '11.80');
      assert.equal(order.specialRequests, 'no onions');
      assert.deepEqual(order.customer, { id: customer.userId });
      assert.deepEqual(order.statusHistory.map((change: { status: string }) => change.status), ['WAITING']);
      assert.equal(order.items.length, 2);
      assert.equal(await harness.stockOf(soup), 8);
      assert.equal(await harness.stockOf(bread), 0);

      // A later price change does not touch the order.
      await harness.graphql(`mutation ($id: ID!) { updateDish(id: $id, input: { price: "99.00" }) { id } }`, { id: soup }, manager);
      const reread = await harness.graphql(`query ($id: ID!) { order(id: $id) { total items { price } } }`, { id: order.id }, customer);
      assert.equal(reread.data?.order.total, '11.80');
    });

    it('requires a signed-in caller', async () => {
      const dishId = await harness.createDish(manager);
      const error = onlyError(await harness.graphql(PLACE_ORDER, { input: { items: [{ dishId, quantity: 1 }] } }));
      assert.equal(error.extensions.code, 'UNAUTHENTICATED');
      const expired = harness.issuer.token('CUSTOMER', { ttlSeconds: -60 });
      const refused = onlyError(await harness.graphql(PLACE_ORDER, { input: { items: [{ dishId, quantity: 1 }] } }, expired));
      assert.equal(refused.extensions.code, 'UNAUTHENTICATED');
      assert.equal(refused.message, 'Access token expired');
      assert.equal(await harness.stockOf(dishId), 10);
    });

    it('validates the input, naming the field, before touching stock', async () => {
      const dishId = await harness.createDish(manager, { quantity: 100 });
      const other = await harness.createDish(manager, { quantity: 100 });
      const line = (quantity = 1, id = dishId) => ({ dishId: id, quantity });
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ items: [] }, 'input.items'],
        [{ items: Array.from({ length: 51 }, () => line(1, randomUUID())) }, 'input.items'],
        [{ items: [line(1, other), line(0)] }, 'input.items[1].quantity'],
        [{ items: [line(101)] }, 'input.items[0].quantity'],
        [{ items: [line(1), line(1, other), line(2)] }, 'input.items[2].dishId'],
        [{ items: [line(1), line(1, 'soup')] }, 'input.items[1].dishId'],
        [{ items: [line(1)], specialRequests: 'x'.repeat(501) }, 'input.specialRequests'],
      ];
      for (const [input, field] of cases) {
        const error = onlyError(await harness.graphql(PLACE_ORDER, { input }, customer));
        assert.equal(error.extensions.code, 'BAD_USER_INPUT', field);
        assert.equal(error.extensions.field, field);
        assert.ok(error.message.startsWith(`${field}: `), error.message);
      }
      assert.equal(await harness.stockOf(dishId), 100);
      // Exactly at the limits is fine.
      const fifty = await Promise.all(Array.from({ length: 49 }, () => harness.createDish(manager, { quantity: 1 })));
      const order = await place(customer, [line(100), ...fifty.map((id) => line(1, id))], 'é'.repeat(500));
      assert.equal(order.specialRequests?.length, 500);
    });

    it('fails the whole order with NOT_FOUND, DISH_UNAVAILABLE or INSUFFICIENT_STOCK naming the dish, reserving nothing', async () => {
      const plenty = await harness.createDish(manager, { quantity: 10 });
      const scarce = await harness.createDish(manager, { name: 'Scarce', quantity: 2 });
      const off = await harness.createDish(manager, { name: 'Off', quantity: 10, isAvailable: false });
      const missing = randomUUID();
      const ordersBefore = await harness.sqlValue<number>(`SELECT count(*)::int AS value FROM orders`);

      const cases: Array<[string, string, RegExp]> = [
        [missing, 'NOT_FOUND', new RegExp(missing)],
        [off, 'DISH_UNAVAILABLE', /"Off".*not available/],
        [scarce, 'INSUFFICIENT_STOCK', /"Scarce".*has 2 left, 3 asked/],
      ];
      for (const [dishId, code, message] of cases) {
        const error = onlyError(
          await harness.graphql(PLACE_ORDER, { input: { items: [{ dishId: plenty, quantity: 5 }, { dishId, quantity: 3 }] } }, customer),
        );
        assert.equal(error.extensions.code, code);
        assert.match(error.message, message);
        assert.match(error.message, /input\.items\[1\]/);
        if (code !== 'NOT_FOUND') assert.equal(error.extensions.dishId, dishId);
      }
      assert.equal(await harness.stockOf(plenty), 10);
      assert.equal(await harness.stockOf(scarce), 2);
      assert.equal(await harness.sqlValue<number>(`SELECT count(*)::int AS value FROM orders`), ordersBefore);
    });
  });

  describe('cancelOrder', () => {
    it('lets the owner cancel while WAITING, puts the units back and records CANCELLED', async () => {
      const dishId = await harness.createDish(manager, { quantity: 5 });
      const order = await place(customer, [{ dishId, quantity: 4 }]);
      const result = await harness.graphql(CANCEL, { id: order.id }, customer);
      assert.deepEqual(result.data?.cancelOrder, { id: order.id, status: 'CANCELLED', statusHistory: [{ status: 'WAITING' }, { status: 'CANCELLED' }] });
      assert.equal(await harness.stockOf(dishId), 5);
      const again = onlyError(await harness.graphql(CANCEL, { id: order.id }, customer));
      assert.equal(again.extensions.code, 'INVALID_TRANSITION');
      assert.equal(await harness.stockOf(dishId), 5);
    });

    it('refuses the owner once IN_PROGRESS, lets staff cancel then, and DONE is final', async () => {
      const dishId = await harness.createDish(manager, { quantity: 5 });
      const order = await place(customer, [{ dishId, quantity: 2 }]);
      await harness.graphql(ADVANCE, { id: order.id }, chef);
      const refused = onlyError(await harness.graphql(CANCEL, { id: order.id }, customer));
      assert.equal(refused.extensions.code, 'INVALID_TRANSITION');
      assert.match(refused.message, /IN_PROGRESS/);
      assert.equal(await harness.stockOf(dishId), 3);
      assert.equal((await harness.graphql(CANCEL, { id: order.id }, chef)).data?.cancelOrder.status, 'CANCELLED');
      assert.equal(await harness.stockOf(dishId), 5);

      const done = await place(customer, [{ dishId, quantity: 1 }]);
      await harness.graphql(ADVANCE, { id: done.id }, chef);
      await harness.graphql(ADVANCE, { id: done.id }, chef);
      const final = onlyError(await harness.graphql(CANCEL, { id: done.id }, manager));
      assert.equal(final.extensions.code, 'INVALID_TRANSITION');
      assert.match(final.message, /DONE/);
      assert.equal(await harness.stockOf(dishId), 4);
    });

    it('NOT_FOUND for another customer’s order or an unknown id, UNAUTHENTICATED without a token, BAD_USER_INPUT for a malformed id', async () => {
      const dishId = await harness.createDish(manager, { quantity: 5 });
      const order = await place(customer, [{ dishId, quantity: 1 }]);
      const stranger = harness.caller('CUSTOMER');
      assert.equal(onlyError(await harness.graphql(CANCEL, { id: order.id }, stranger)).extensions.code, 'NOT_FOUND');
      assert.equal(onlyError(await harness.graphql(CANCEL, { id: randomUUID() }, manager)).extensions.code, 'NOT_FOUND');
      assert.equal(onlyError(await harness.graphql(CANCEL, { id: order.id })).extensions.code, 'UNAUTHENTICATED');
      assert.equal(onlyError(await harness.graphql(CANCEL, { id: 'x' }, customer)).extensions.field, 'id');
      assert.equal(await harness.stockOf(dishId), 4);
    });
  });

  describe('advanceOrder', () => {
    it('moves one stage at a time with its history, then INVALID_TRANSITION', async () => {
      const dishId = await harness.createDish(manager, { quantity: 5 });
      const order = await place(customer, [{ dishId, quantity: 1 }]);
      const first = await harness.graphql(ADVANCE, { id: order.id }, chef);
      assert.equal(first.data?.advanceOrder.status, 'IN_PROGRESS');
      const second = await harness.graphql(ADVANCE, { id: order.id }, manager);
      assert.equal(second.data?.advanceOrder.status, 'DONE');
      assert.deepEqual(second.data?.advanceOrder.statusHistory.map((change: { status: string }) => change.status), ['WAITING', 'IN_PROGRESS', 'DONE']);
      const third = onlyError(await harness.graphql(ADVANCE, { id: order.id }, chef));
      assert.equal(third.extensions.code, 'INVALID_TRANSITION');
      assert.equal(await harness.stockOf(dishId), 4);

      const cancelled = await place(customer, [{ dishId, quantity: 1 }]);
      await harness.graphql(CANCEL, { id: cancelled.id }, customer);
      assert.equal(onlyError(await harness.graphql(ADVANCE, { id: cancelled.id }, chef)).extensions.code, 'INVALID_TRANSITION');
    });

    it('is staff only', async () => {
      const dishId = await harness.createDish(manager, { quantity: 5 });
      const order = await place(customer, [{ dishId, quantity: 1 }]);
      assert.equal(onlyError(await harness.graphql(ADVANCE, { id: order.id }, customer)).extensions.code, 'FORBIDDEN');
      assert.equal(onlyError(await harness.graphql(ADVANCE, { id: order.id })).extensions.code, 'UNAUTHENTICATED');
      assert.equal(onlyError(await harness.graphql(ADVANCE, { id: randomUUID() }, chef)).extensions.code, 'NOT_FOUND');
      assert.equal(onlyError(await harness.graphql(ADVANCE, { id: 'order-1' }, chef)).extensions.field, 'id');
      assert.equal((await harness.graphql(ORDER, { id: order.id }, customer)).data?.order.status, 'WAITING');
    });
  });

  describe('order(id) and Order references', () => {
    it('shows the order to its owner and to staff; anyone else gets NOT_FOUND and no data', async () => {
      const dishId = await harness.createDish(manager, { price: '3.00', quantity: 5 });
      const order = await place(customer, [{ dishId, quantity: 2 }]);
      for (const viewer of [customer, chef, manager]) {
        const result = await harness.graphql(ORDER, { id: order.id }, viewer);
        assert.deepEqual(result.data?.order, { id: order.id, status: 'WAITING', total: '6.00', customer: { id: customer.userId } });
      }
      const stranger = await harness.graphql(ORDER, { id: order.id }, harness.caller('CUSTOMER'));
      assert.equal(onlyError(stranger).extensions.code, 'NOT_FOUND');
      assert.equal(stranger.data?.order ?? null, null);
      assert.equal(onlyError(await harness.graphql(ORDER, { id: order.id })).extensions.code, 'UNAUTHENTICATED');
      assert.equal(onlyError(await harness.graphql(ORDER, { id: randomUUID() }, manager)).extensions.code, 'NOT_FOUND');
      assert.equal(onlyError(await harness.graphql(ORDER, { id: 'order-1' }, manager)).extensions.field, 'id');
    });

    it('resolves Order references only for the owner and staff', async () => {
      const dishId = await harness.createDish(manager, { quantity: 5 });
      const order = await place(customer, [{ dishId, quantity: 1 }]);
      const query = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Order { id status } } }`;
      const representations = [{ __typename: 'Order', id: order.id }, { __typename: 'Order', id: 'not-an-id' }];
      assert.deepEqual((await harness.graphql(query, { representations }, chef)).data?._entities, [{ id: order.id, status: 'WAITING' }, null]);
      assert.deepEqual((await harness.graphql(query, { representations }, customer)).data?._entities, [{ id: order.id, status: 'WAITING' }, null]);
      assert.deepEqual((await harness.graphql(query, { representations }, harness.caller('CUSTOMER'))).data?._entities, [null, null]);
      assert.deepEqual((await harness.graphql(query, { representations })).data?._entities, [null, null]);
    });
  });

  describe('lists', () => {
    let owner: Caller;
    const placed: string[] = [];

    before(async () => {
      owner = harness.caller('CUSTOMER');
      const dishId = await harness.createDish(manager, { quantity: 100 });
      for (let index = 0; index < 5; index += 1) placed.push((await place(owner, [{ dishId, quantity: 1 }])).id);
      await harness.graphql(ADVANCE, { id: placed[1]! }, chef);
      await harness.graphql(CANCEL, { id: placed[3]! }, owner);
      // Orders created in one transaction share created_at to the microsecond: the id breaks the tie.
      await harness.app.dataSource.query(`UPDATE orders SET created_at = (SELECT created_at FROM orders WHERE id = $1) WHERE id = ANY($2)`, [
        placed[2],
        [placed[2], placed[3], placed[4]],
      ]);
      // And two orders a microsecond apart, which a cursor holding a JS Date (milliseconds) would confuse.
      await harness.app.dataSource.query(
        `UPDATE orders SET created_at = (SELECT created_at FROM orders WHERE id = $1) + interval '1 microsecond' WHERE id = $2`,
        [placed[0], placed[1]],
      );
    });

    const MY_ORDERS = `query ($first: Int, $after: String, $status: OrderStatus) {
      myOrders(first: $first, after: $after, status: $status) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id status } } }
    }`;

    async function walk(query: string, field: string, caller: Caller, variables: Record<string, unknown>) {
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const result: GraphQLResponse<Record<string, OrderPageBody>> = await harness.graphql(query, { ...variables, after }, caller);
        assert.equal(result.errors, undefined, JSON.stringify(result.errors));
        const page = result.data![field]!;
        seen.push(...page.edges.map((edge) => edge.node.id));
        if (!page.pageInfo.hasNextPage) return { seen, totalCount: page.totalCount };
        after = page.pageInfo.endCursor;
      }
    }

    it('myOrders: newest first, every order exactly once across pages of 2, totalCount, status filter', async () => {
      const expected = (
        (await harness.app.dataSource.query(`SELECT id FROM orders WHERE user_id = $1 ORDER BY created_at DESC, id DESC`, [owner.userId])) as Array<{
          id: string;
        }>
      ).map((row) => row.id);
      const { seen, totalCount } = await walk(MY_ORDERS, 'myOrders', owner, { first: 2 });
      assert.deepEqual(seen, expected);
      assert.equal(totalCount, 5);
      const waiting = await walk(MY_ORDERS, 'myOrders', owner, { first: 1, status: 'WAITING' });
      assert.deepEqual(new Set(waiting.seen), new Set([placed[0], placed[2], placed[4]]));
      assert.equal(waiting.totalCount, 3);
      const another = await harness.graphql(MY_ORDERS, { first: 10 }, harness.caller('CUSTOMER'));
      assert.deepEqual(another.data?.myOrders, { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
    });

    it('refuses first outside 1-100 and a malformed cursor with BAD_USER_INPUT naming the argument', async () => {
      for (const first of [0, 101, -1]) {
        const error = onlyError(await harness.graphql(MY_ORDERS, { first }, owner));
        assert.deepEqual([error.extensions.code, error.extensions.field], ['BAD_USER_INPUT', 'first']);
      }
      const badCursors = ['nope', Buffer.from('["2026-13-40 00:00:00+00","x"]').toString('base64url'), Buffer.from('[1,2]').toString('base64url')];
      for (const after of badCursors) {
        const error = onlyError(await harness.graphql(MY_ORDERS, { first: 2, after }, owner));
        assert.deepEqual([error.extensions.code, error.extensions.field], ['BAD_USER_INPUT', 'after']);
      }
      assert.equal(onlyError(await harness.graphql(MY_ORDERS, { first: 2 })).extensions.code, 'UNAUTHENTICATED');
    });

    it('orders: staff only, every order', async () => {
      const ORDERS = `query ($first: Int, $after: String, $status: OrderStatus) {
        orders(first: $first, after: $after, status: $status) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } }
      }`;
      const total = await harness.sqlValue<number>(`SELECT count(*)::int AS value FROM orders`);
      const { seen, totalCount } = await walk(ORDERS, 'orders', chef, { first: 7 });
      assert.equal(totalCount, total);
      assert.equal(new Set(seen).size, total);
      const inProgress = await walk(ORDERS, 'orders', manager, { first: 100, status: 'IN_PROGRESS' });
      assert.ok(inProgress.seen.includes(placed[1]!));
      assert.equal(onlyError(await harness.graphql(ORDERS, { first: 5 }, owner)).extensions.code, 'FORBIDDEN');
      assert.equal(onlyError(await harness.graphql(ORDERS, { first: 5 })).extensions.code, 'UNAUTHENTICATED');
      assert.equal(onlyError(await harness.graphql(ORDERS, { first: 500 }, chef)).extensions.field, 'first');
    });

    it('User.orders: the user themself or staff; anyone else FORBIDDEN', async () => {
      const query = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id orders(first: 100) { totalCount } } } }`;
      const representations = [{ __typename: 'User', id: owner.userId }];
      for (const viewer of [owner, chef, manager]) {
        assert.deepEqual((await harness.graphql(query, { representations }, viewer)).data?._entities, [{ id: owner.userId, orders: { totalCount: 5 } }]);
      }
      const stranger = await harness.graphql(query, { representations }, harness.caller('CUSTOMER'));
      assert.equal(onlyError(stranger).extensions.code, 'FORBIDDEN');
      assert.equal(onlyError(await harness.graphql(query, { representations })).extensions.code, 'UNAUTHENTICATED');
    });
  });
});
