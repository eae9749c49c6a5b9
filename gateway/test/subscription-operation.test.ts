import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventVariables, parseLiveRequest, subscribedOrderId } from '../src/live/subscription-operation.js';

const parseOk = (query: string, operationName?: string) => {
  const parsed = parseLiveRequest(query, operationName, 2000);
  assert.equal(parsed.kind, 'subscription', JSON.stringify(parsed));
  if (parsed.kind !== 'subscription') throw new Error('unreachable');
  return parsed.operation;
};

describe('a subscription document becomes the query that resolves its events', () => {
  it('orderUpdated(id) → order(id: $dishpatchLiveOrderId) under the subscription field name, with a history probe, fragments kept', () => {
    const operation = parseOk('subscription Follow($id: ID!) { orderUpdated(id: $id) { ...O } } fragment O on Order { id customer { username } }');
    assert.equal(operation.field, 'orderUpdated');
    assert.equal(operation.responseKey, 'orderUpdated');
    // $id only named the order: the query drops it (GraphQL refuses an unused variable), and so do the event's variables.
    assert.match(operation.query, /^query Follow\(\$dishpatchLiveOrderId: ID!\) \{\s+orderUpdated: order\(id: \$dishpatchLiveOrderId\) \{\s+\.\.\.O\s+dishpatchLiveHistory: statusHistory \{\s+status/);
    assert.match(operation.query, /fragment O on Order/);
    assert.equal(subscribedOrderId(operation, { id: 'abc' }), 'abc');
    assert.deepEqual(eventVariables(operation, { id: 'abc' }), {});
    assert.equal(subscribedOrderId(parseOk('subscription { orderUpdated(id: "lit") { id } }'), {}), 'lit');
  });

  it('keeps orderUpdated\'s id variable when the selection uses it too', () => {
    const operation = parseOk('subscription($id: ID!) { orderUpdated(id: $id) { id customer { orders(after: $id) { totalCount } } } }');
    assert.match(operation.query, /^query \(\$id: ID!, \$dishpatchLiveOrderId: ID!\)/);
    assert.deepEqual(eventVariables(operation, { id: 'abc' }), { id: 'abc' });
  });

  it('finds where the selection shows the fields a status change changes, through aliases and fragments', () => {
    const operation = parseOk('subscription { kitchenUpdates { now: status ...F ... on Order { changed: updatedAt } } } fragment F on Order { status statusHistory { at } }');
    assert.deepEqual(operation.changedFields, { status: ['now', 'status'], statusHistory: ['statusHistory'], updatedAt: ['changed'] });
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
