import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLiveRequest, subscribedOrderId } from '../src/live/subscription-operation.js';

const parseOk = (query: string, operationName?: string) => {
  const parsed = parseLiveRequest(query, operationName, 2000);
  assert.equal(parsed.kind, 'subscription', JSON.stringify(parsed));
  if (parsed.kind !== 'subscription') throw new Error('unreachable');
  return parsed.operation;
};

describe('a subscription document becomes the query that resolves its events', () => {
  it('orderUpdated(id) → order(id) under the subscription field name, with a status probe, fragments kept', () => {
    const operation = parseOk('subscription Follow($id: ID!) { orderUpdated(id: $id) { ...O } } fragment O on Order { id customer { username } }');
    assert.equal(operation.field, 'orderUpdated');
    assert.equal(operation.responseKey, 'orderUpdated');
    assert.match(operation.query, /^query Follow\(\$id: ID!\) \{\s+orderUpdated: order\(id: \$id\) \{\s+\.\.\.O\s+dishpatchLiveStatus: status/);
    assert.match(operation.query, /fragment O on Order/);
    assert.equal(subscribedOrderId(operation, { id: 'abc' }), 'abc');
    assert.equal(subscribedOrderId(parseOk('subscription { orderUpdated(id: "lit") { id } }'), {}), 'lit');
  });

  it('myOrderUpdates and kitchenUpdates take the event order as a variable of their own; an alias stays the response key', () => {
    const operation = parseOk('subscription { board: kitchenUpdates { id status } }');
    assert.equal(operation.responseKey, 'board');
    assert.match(operation.query, /query \(\$dishpatchLiveOrderId: ID!\) \{\s+board: order\(id: \$dishpatchLiveOrderId\)/);
  });

  it('menuUpdates → menu', () => {
    assert.match(parseOk('subscription { menuUpdates { id name } }').query, /menuUpdates: menu \{/);
  });

  it('tells queries from subscriptions and refuses what cannot be served', () => {
    assert.equal(parseLiveRequest('{ menu { id } }', undefined, 2000).kind, 'other');
    const refusals = [
      ['subscription { menuUpdates { id } kitchenUpdates { id } }', /exactly one field/],
      ['subscription { nothing }', /Cannot query field "nothing" on type "Subscription"/],
      ['subscription {', /Syntax Error/],
      ['subscription A { menuUpdates { id } } subscription B { menuUpdates { id } }', /operationName/],
    ] as const;
    for (const [query, message] of refusals) {
      const parsed = parseLiveRequest(query, undefined, 2000);
      assert.equal(parsed.kind, 'invalid');
      if (parsed.kind === 'invalid') assert.match(parsed.error.message, message);
    }
  });
});
