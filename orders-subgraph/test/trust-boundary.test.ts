/**
 * The orders subgraph answers GraphQL only to the gateway, and keeps its own depth, alias and
 * cost limits as a second line behind the gateway's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GATEWAY_SECRET_HEADER } from '@dishpatch/shared/http';
import { OrdersHarness } from './support/harness.js';

describe('the trust boundary (orders)', () => {
  let harness: OrdersHarness;
  before(async () => {
    harness = await OrdersHarness.start('trust_boundary');
    const manager = harness.caller('MANAGER');
    for (let index = 0; index < 5; index++) await harness.createDish(manager, { name: `Dish with a long name to make each answer heavy ${index}` });
  });
  after(() => harness.stop());

  const post = (query: string, headers: Record<string, string>) =>
    fetch(`${harness.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });

  it("refuses GraphQL without the gateway's secret: 403, a clear error, no data", async () => {
    const response = await post('{ menu { id name } }', {});
    assert.equal(response.status, 403);
    const body = (await response.json()) as { data?: unknown; errors: Array<{ message: string; extensions: { code: string } }> };
    assert.equal(body.data, undefined);
    assert.equal(body.errors[0]!.extensions.code, 'FORBIDDEN');
    assert.match(body.errors[0]!.message, /gateway/);
  });

  it('refuses 500 aliases even with the right secret, with a clear error and a small answer', async () => {
    const query = `{ ${Array.from({ length: 500 }, (_, index) => `m${index}: menu { id name description price quantity }`).join(' ')} }`;
    const response = await post(query, { [GATEWAY_SECRET_HEADER]: harness.secret });
    const text = await response.text();
    assert.ok(text.length < 1000, `answer of ${text.length} bytes`);
    const body = JSON.parse(text) as { data?: unknown; errors: Array<{ message: string; extensions: { code: string } }> };
    assert.equal(body.data, undefined);
    assert.equal(body.errors[0]!.extensions.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(body.errors[0]!.message, /alias/i);
  });

  it('refuses a query past its depth and cost limits, with the right secret', async () => {
    // Order.customer -> User.orders -> edges -> node -> Order: four levels a turn.
    let selection = 'id';
    for (let turn = 0; turn < 8; turn++) selection = `customer { orders(first: 1) { edges { node { ${selection} } } } }`;
    const query = `{ orders(first: 1) { edges { node { ${selection} } } } }`;
    const response = await post(query, { [GATEWAY_SECRET_HEADER]: harness.secret });
    const body = (await response.json()) as { errors?: Array<{ message: string; extensions: { code: string } }> };
    assert.equal(body.errors?.[0]?.extensions.code, 'GRAPHQL_VALIDATION_FAILED');
    // 36 levels: past the depth limit (20) and, at 1.5 a level, the cost limit; whichever Armor checks first.
    assert.match(body.errors![0]!.message, /depth|cost/i);
  });
});
