/**
 * The subgraphs keep their own request limits as a second line; whatever the gateway lets a
 * client ask, at its default limits, its subgraph fetches (with `_entities`, keys and
 * `__typename`s added) must stay under the subgraphs' defaults.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGateway, type RunningGateway } from './support/gateway-client.js';
import { startStubAuth, startStubOrders, STUB_ORDER_ID, STUB_TOKEN, type StubSubgraph } from './support/stub-subgraphs.js';

describe("the gateway's subgraph fetches against the subgraphs' own limits", () => {
  let auth: StubSubgraph;
  let orders: StubSubgraph;
  let gateway: RunningGateway;

  before(async () => {
    auth = await startStubAuth();
    orders = await startStubOrders();
    gateway = await startGateway({ AUTH_SUBGRAPH_URL: auth.url, ORDERS_SUBGRAPH_URL: orders.url });
  });

  after(async () => {
    await gateway.app.close();
    await auth.stop();
    await orders.stop();
  });

  it('stay under them for a query at the gateway limits: 15 aliases, cost near its maximum, across both subgraphs', async () => {
    const alias = (index: number) =>
      `o${index}: order(id: $id) { id status customer { id username role orders(first: 8) { edges { node { id status customer { id username } items { quantity dish { id name } } } } } } }`;
    const query = `query ($id: ID!) { ${Array.from({ length: 15 }, (_, index) => alias(index)).join(' ')} }`;
    auth.received.length = 0;
    orders.received.length = 0;
    const { body } = await gateway.query(query, { variables: { id: STUB_ORDER_ID }, headers: { authorization: STUB_TOKEN } });
    const codes = (body.errors ?? []).map((error) => error.extensions?.['code']);
    assert.ok(!codes.includes('GRAPHQL_VALIDATION_FAILED'), JSON.stringify(body.errors?.[0]));
    assert.ok(orders.received.length > 0 && auth.received.length > 0, 'both subgraphs were asked');
  });

  it('stay under them for a query at the gateway depth limit (10) that crosses the subgraphs twice', async () => {
    const query = `{ me { username orders(first: 1) { edges { node { customer { username orders(first: 1) { edges { node { items { quantity } } } } } } } } } }`;
    const { body } = await gateway.query(query, { headers: { authorization: STUB_TOKEN } });
    const codes = (body.errors ?? []).map((error) => error.extensions?.['code']);
    assert.ok(!codes.includes('GRAPHQL_VALIDATION_FAILED'), JSON.stringify(body.errors?.[0]));
  });
});
