import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { cutOffTestUserTokens, waitFor } from '@dishpatch/shared/testing';
import { OrdersHarness, onlyError, type Caller } from './support/harness.js';

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

describe('role changes reach the orders subgraph', () => {
  let harness: OrdersHarness;
  let redis: Redis;
  before(async () => {
    harness = await OrdersHarness.start('orders_role_change');
    redis = new Redis(harness.redis.url);
  });
  after(async () => {
    redis.disconnect();
    await harness.stop();
  });

  it("a demoted manager's old token can no longer createDish, within a second, whichever many requests use it", async () => {
    const demoted = harness.caller('MANAGER');
    const input = { name: 'Stew', price: '4.00', quantity: 1 };
    assert.equal((await harness.graphql(CREATE, { input }, demoted)).errors, undefined, 'a manager before the change');
    await new Promise((resolve) => setTimeout(resolve, 5));
    // What auth publishes when setUserRole demotes this manager.
    await cutOffTestUserTokens(redis, harness.redis.prefix, demoted.userId, Date.now(), 960);
    const codes = await waitFor(
      'the old token to be refused',
      async () => {
        const results = await Promise.all(Array.from({ length: 10 }, () => harness.graphql(CREATE, { input }, demoted)));
        const refused = results.map((result) => result.errors?.[0]?.extensions.code);
        return refused.every((code) => code === 'UNAUTHENTICATED') ? refused : undefined;
      },
      3000,
    );
    assert.equal(codes.length, 10);
    const afterward = harness.issuer.token('CUSTOMER', { userId: demoted.userId });
    assert.equal(onlyError(await harness.graphql(CREATE, { input }, afterward)).extensions.code, 'FORBIDDEN', 'the refreshed token, with the new role');
    const [{ count }] = await harness.app.dataSource.query(`SELECT count(*)::int AS count FROM dishes WHERE name = 'Stew'`);
    assert.equal(count, 1, 'only the dish created before the change');
  });
});
