import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { OrdersHarness, type Caller } from './support/harness.js';

const DISHES = `query ($all: Boolean) { dishes(includeUnavailable: $all) { id name } }`;
const DISH = `query ($id: ID!) { dish(id: $id) { id name } }`;
const MENU = `{ menu { id } }`;
const CREATE = `mutation ($input: CreateDishInput!) { createDish(input: $input) { id } }`;
const ORDER_ENTITY = `query ($id: ID!) { _entities(representations: [{ __typename: "Order", id: $id }]) { ... on Order { id } } }`;

/** A bad token is never anonymous, here as in auth: every field that looks at the viewer refuses it. */
describe('token rules in the orders subgraph', () => {
  let harness: OrdersHarness;
  let manager: Caller;
  let dishId = '';
  before(async () => {
    harness = await OrdersHarness.start('orders_token_rules');
    manager = harness.caller('MANAGER');
    const created = await harness.graphql(CREATE, { input: { name: 'Soup', price: '3.00', quantity: 2 } }, manager);
    dishId = created.data!.createDish.id;
  });
  after(() => harness.stop());

  const badTokens = () => [
    ['expired', harness.issuer.token('MANAGER', { ttlSeconds: -60 })],
    ['malformed', 'a.b.c'],
    ['not a JWT', 'garbage'],
  ] as const;

  it('fields that read the viewer optionally are UNAUTHENTICATED with a bad token, and work without one', async () => {
    for (const [query, variables] of [
      [DISHES, { all: false }],
      [DISH, { id: dishId }],
      [ORDER_ENTITY, { id: randomUUID() }],
    ] as const) {
      const anonymous = await harness.graphql(query, variables);
      assert.equal(anonymous.errors, undefined, `${query} anonymous`);
      for (const [what, token] of badTokens()) {
        const result = await harness.graphql(query, variables, token);
        assert.equal(result.errors?.[0]?.extensions.code, 'UNAUTHENTICATED', `${query} with a ${what} token`);
      }
    }
    assert.equal((await harness.graphql(MENU, {}, 'a.b.c')).errors, undefined, 'the menu never looks at the viewer');
  });
});
