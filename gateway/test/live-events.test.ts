import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type LiveEventBatch, type LiveOrderEvent } from '@dishpatch/orders-core/live-events';
import { TestIssuer, waitFor } from '@dishpatch/shared/testing';
import type { RunningGateway } from './support/gateway-client.js';
import { startLiveStubSystem, subscribeMultipart, type LiveStubSystem } from './support/live-client.js';
import { STUB_DISH, STUB_DONE_ORDER, STUB_MORE_ORDER_IDS, STUB_USER, type StubSubgraph } from './support/stub-subgraphs.js';

const PREFIX = `dishpatch-test-live-events-${process.pid}:`;

describe('live events through the gateway (stub subgraphs, a live-events stream of its own)', () => {
  let orders: StubSubgraph;
  let issuer: TestIssuer;
  let gateway: RunningGateway;
  let system: LiveStubSystem;

  before(async () => {
    system = await startLiveStubSystem(PREFIX);
    ({ orders, issuer, gateway } = system);
  });

  after(() => system.stop());

  const addEntry = (batch: Partial<LiveEventBatch>) => system.addEntry(batch);
  const moveOf = (index: number): LiveOrderEvent => ({ orderId: STUB_DONE_ORDER.id, userId: STUB_USER.id, ...STUB_DONE_ORDER.history[index]! });

  it('shows each queued move of one order once, in commit order, as the order was at that move (it is DONE by the time they are fetched)', async () => {
    const token = `Bearer ${issuer.token('CHEF')}`;
    const board = await subscribeMultipart(gateway, 'subscription { kitchenUpdates { id status updatedAt statusHistory { status at } } }', { authorization: token });
    const mine = await subscribeMultipart(gateway, 'subscription { myOrderUpdates { state: status } }', { authorization: `Bearer ${issuer.token('CUSTOMER', { userId: STUB_USER.id })}` });
    await waitFor('both subscribed', () => (gateway.app.liveSubscriptions === 2 ? true : undefined));

    // Three moves in two entries, all read before any is fetched.
    await addEntry({ orders: [moveOf(0), moveOf(1)] });
    await addEntry({ orders: [moveOf(2)] });

    const shown = await board.payloadsUpTo(3);
    assert.deepEqual(
      shown.map((payload) => payload.data),
      [0, 1, 2].map((index) => ({
        kitchenUpdates: { id: STUB_DONE_ORDER.id, status: STUB_DONE_ORDER.history[index]!.status, updatedAt: STUB_DONE_ORDER.history[index]!.at, statusHistory: STUB_DONE_ORDER.history.slice(0, index + 1) },
      })),
    );
    assert.deepEqual((await mine.payloadsUpTo(3)).map((payload) => payload.data), [{ myOrderUpdates: { state: 'WAITING' } }, { myOrderUpdates: { state: 'IN_PROGRESS' } }, { myOrderUpdates: { state: 'DONE' } }]);
    await board.cancel();
    await mine.cancel();
    await waitFor('every subscription to end', () => (gateway.app.liveSubscriptions === 0 ? true : undefined));
  });

  it('orderUpdated on a DONE order shows it once and completes, whatever of its moves is still queued', async () => {
    const token = `Bearer ${issuer.token('CHEF')}`;
    const follow = await subscribeMultipart(gateway, `subscription { orderUpdated(id: "${STUB_DONE_ORDER.id}") { status } }`, { authorization: token });
    assert.deepEqual((await follow.end()).map((payload) => payload.data), [{ orderUpdated: { status: 'DONE' } }]);
  });

  it('resolves an entry of many orders with batched fetches per token, not one per order or per subscriber', async () => {
    const chef = `Bearer ${issuer.token('CHEF')}`;
    const manager = `Bearer ${issuer.token('MANAGER')}`;
    const query = 'subscription { kitchenUpdates { id status customer { username } } }';
    const subscribers = await Promise.all([chef, chef, chef, manager].map((authorization) => subscribeMultipart(gateway, query, { authorization })));
    await waitFor('all subscribed', () => (gateway.app.liveSubscriptions === subscribers.length ? true : undefined));
    const fetchesBefore = orders.received.length;

    await addEntry({ orders: STUB_MORE_ORDER_IDS.map((orderId) => ({ orderId, userId: STUB_USER.id, status: 'WAITING', at: STUB_DISH.createdAt })) });

    for (const subscriber of subscribers) {
      const shown = await subscriber.payloadsUpTo(STUB_MORE_ORDER_IDS.length);
      assert.deepEqual(
        shown.map((payload) => payload.data),
        STUB_MORE_ORDER_IDS.map((id) => ({ kitchenUpdates: { id, status: 'WAITING', customer: { username: STUB_USER.username } } })),
      );
    }
    // Each query asks for as many orders as the subgraphs' own limits let through (a few fetches for 30).
    const fetches = orders.received.slice(fetchesBefore).map((headers) => headers.authorization);
    const chefFetches = fetches.filter((authorization) => authorization === chef).length;
    assert.equal(chefFetches + fetches.filter((authorization) => authorization === manager).length, fetches.length);
    assert.equal(chefFetches, fetches.length - chefFetches, 'the three chef subscribers share their fetches');
    assert.ok(chefFetches <= STUB_MORE_ORDER_IDS.length / 5, `${chefFetches} fetches for ${STUB_MORE_ORDER_IDS.length} orders`);
    await Promise.all(subscribers.map((subscriber) => subscriber.cancel()));
    await waitFor('every subscription to end', () => (gateway.app.liveSubscriptions === 0 ? true : undefined));
  });
});
