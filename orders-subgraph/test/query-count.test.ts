import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OrdersHarness, PLACE_ORDER, type Caller } from './support/harness.js';

const PAGE = `query ($first: Int!) { orders(first: $first) { edges { node { items { dish { name } } customer { id } } } } }`;
const FULL_PAGE = `query ($first: Int!) {
  orders(first: $first) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id status total specialRequests customer { id } statusHistory { status at } items { quantity price subtotal dish { id name price } } } }
  }
}`;

describe('SQL statements per page of orders', () => {
  let harness: OrdersHarness;
  let chef: Caller;

  before(async () => {
    harness = await OrdersHarness.start('query_count');
    const manager = harness.caller('MANAGER');
    chef = harness.caller('CHEF');
    const dishes = await Promise.all(Array.from({ length: 12 }, (_, index) => harness.createDish(manager, { name: `Dish ${index}`, quantity: 1000 })));
    for (let index = 0; index < 110; index += 1) {
      const items = [0, 1, 2].map((offset) => ({ dishId: dishes[(index + offset * 5) % dishes.length]!, quantity: 1 + offset }));
      const result = await harness.graphql(PLACE_ORDER, { input: { items } }, harness.caller('CUSTOMER'));
      assert.equal(result.errors, undefined);
    }
  });
  after(async () => {
    await harness.stop();
  });

  async function statementsFor(query: string, first: number) {
    harness.sql.statements = [];
    const result = await harness.graphql(query, { first }, chef);
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.equal(result.data?.orders.edges.length, first);
    assert.equal(result.data?.orders.edges[first - 1].node.items.length, 3);
    return harness.sql.statements.length;
  }

  it('is the same small number for 10 and for 100 orders', async (t) => {
    const forTen = await statementsFor(PAGE, 10);
    const forHundred = await statementsFor(PAGE, 100);
    t.diagnostic(`orders(first: N) { edges { node { items { dish { name } } customer { id } } } }: ${forTen} SQL statements for N=10, ${forHundred} for N=100`);
    assert.equal(forTen, forHundred);
    // The page with its orders' items and their dishes.
    assert.equal(forHundred, 1);
  });

  it('reads the items with the page when a fragment asks for them', async () => {
    const throughFragments = `query ($first: Int!) { orders(first: $first) { edges { node { ...Lines } } } }
      fragment Lines on Order { ... on Order { items { dish { name } } } }`;
    assert.equal(await statementsFor(throughFragments, 10), 1);
  });

  it('counts the matching orders only when totalCount is asked for', async () => {
    const withoutTotal = await statementsFor(PAGE, 10);
    const counts = harness.sql.statements.filter((statement) => /count\(/i.test(statement));
    assert.deepEqual(counts, [], 'a page without totalCount must not count every order');
    const withTotal = await statementsFor(PAGE.replace('orders(first: $first) {', 'orders(first: $first) { totalCount'), 10);
    assert.equal(withTotal, withoutTotal + 1);
  });

  it('stays constant with every Order field asked for', async (t) => {
    const forTen = await statementsFor(FULL_PAGE, 10);
    const forHundred = await statementsFor(FULL_PAGE, 100);
    t.diagnostic(`every Order field (total, statusHistory, items.subtotal, dish): ${forTen} SQL statements for N=10, ${forHundred} for N=100`);
    assert.equal(forTen, forHundred);
    // The page with the items and their dishes, and its total; the histories are on the order rows.
    assert.equal(forHundred, 2);
  });
});
