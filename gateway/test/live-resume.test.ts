import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type LiveEventBatch, type LiveOrderEvent } from '@dishpatch/orders-core/live-events';
import { TestIssuer, waitFor } from '@dishpatch/shared/testing';
import type { RunningGateway } from './support/gateway-client.js';
import { startLiveStubSystem, subscribeSse, type SseEvent, type LiveStubSystem } from './support/live-client.js';
import { STUB_DISH, STUB_MORE_ORDER_IDS, STUB_USER, type StubSubgraph } from './support/stub-subgraphs.js';

const PREFIX = `dishpatch-test-live-resume-${process.pid}:`;
const KITCHEN = 'subscription { kitchenUpdates { id } }';
const OTHER_USER_ID = '0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a';

/** The order ids the kitchen saw, in order. */
const kitchenOrders = (events: SseEvent[]) => events.map((event) => (event.result.data?.['kitchenUpdates'] as { id: string } | undefined)?.id);

describe('SSE resume from Last-Event-ID, mid-entry (stub subgraphs, a live-events stream of its own, GATEWAY_SUBSCRIBER_QUEUE_LIMIT=20)', () => {
  let orders: StubSubgraph;
  let issuer: TestIssuer;
  let gateway: RunningGateway;
  let system: LiveStubSystem;
  /** While set, `order(id)` for these ids waits for `release`. */
  let held: { ids: Set<string>; answered: Promise<void>; release: () => void } | undefined;

  before(async () => {
    system = await startLiveStubSystem(PREFIX, {
      hold: (orderId) => (held?.ids.has(orderId) ? held.answered : undefined),
      env: { GATEWAY_SUBSCRIBER_QUEUE_LIMIT: '20' },
    });
    ({ orders, issuer, gateway } = system);
  });

  after(async () => {
    held?.release();
    await system.stop();
  });

  const addEntry = (batch: Partial<LiveEventBatch>) => system.addEntry(batch);
  /** Order events for these stub orders, every other one the other user's. */
  const placed = (orderIds: string[]): LiveOrderEvent[] =>
    orderIds.map((orderId, index) => ({ orderId, userId: index % 2 === 0 ? STUB_USER.id : OTHER_USER_ID, status: 'WAITING', at: STUB_DISH.createdAt }));
  const chef = () => ({ authorization: `Bearer ${issuer.token('CHEF')}` });
  const subscriptionsEnd = () => waitFor('every subscription to end', () => (gateway.app.liveSubscriptions === 0 ? true : undefined));

  it('a client cut off after some events of an entry resumes with exactly the rest, for the kitchen, its own orders and the menu', async () => {
    const customer = { authorization: `Bearer ${issuer.token('CUSTOMER', { userId: STUB_USER.id })}` };
    const board = await subscribeSse(gateway, KITCHEN, chef());
    const mine = await subscribeSse(gateway, 'subscription { myOrderUpdates { id } }', customer);
    const menu = await subscribeSse(gateway, 'subscription { menuUpdates { id } }');
    await waitFor('three subscribed', () => (gateway.app.liveSubscriptions === 3 ? true : undefined));

    const first = STUB_MORE_ORDER_IDS.slice(0, 15);
    await addEntry({ orders: placed(first), menu: true, dishIds: [STUB_DISH.id] });
    await board.eventsUpTo(6);
    await mine.eventsUpTo(3);
    await menu.eventsUpTo(2); // the current menu, then the change
    await Promise.all([board.cancel(), mine.cancel(), menu.cancel()]);
    await subscriptionsEnd();
    const boardBefore = board.events.slice(0, 6);
    const mineBefore = mine.events.slice(0, 3);
    const menuBefore = menu.events.slice(0, 2);

    // More happens while they are away; then a last entry marks where to stop reading.
    const second = STUB_MORE_ORDER_IDS.slice(15, 18);
    await addEntry({ orders: placed(second), menu: true, dishIds: [STUB_DISH.id] });
    const last = STUB_MORE_ORDER_IDS[18]!;
    await addEntry({ orders: placed([last]), menu: true, dishIds: [STUB_DISH.id] });

    const lastIdOf = (events: SseEvent[]) => events.findLast((event) => event.id !== undefined)!.id!;
    const boardAgain = await subscribeSse(gateway, KITCHEN, { ...chef(), 'last-event-id': lastIdOf(boardBefore) });
    const mineAgain = await subscribeSse(gateway, 'subscription { myOrderUpdates { id } }', { ...customer, 'last-event-id': lastIdOf(mineBefore) });
    const menuAgain = await subscribeSse(gateway, 'subscription { menuUpdates { id } }', { 'last-event-id': lastIdOf(menuBefore) });

    const everyOrder = [...first, ...second, last];
    const boardAfter = await boardAgain.eventsUpTo(everyOrder.length - 6);
    const boardSeen = [...boardBefore, ...boardAfter];
    assert.deepEqual(kitchenOrders(boardSeen), everyOrder);
    assert.equal(new Set(boardSeen.map((event) => event.id)).size, boardSeen.length, 'every event has an id of its own');

    const customersOrders = [...placed(first), ...placed(second), ...placed([last])].filter((event) => event.userId === STUB_USER.id).map((event) => event.orderId);
    const mineAfter = await mineAgain.eventsUpTo(customersOrders.length - 3);
    assert.deepEqual([...mineBefore, ...mineAfter].map((event) => (event.result.data?.['myOrderUpdates'] as { id: string }).id), customersOrders);

    // The menu changed three times; the client saw the first: the two others follow, no state first.
    const menuAfter = await menuAgain.eventsUpTo(2);
    assert.ok(menuAfter.every((event) => event.id !== undefined && event.result.data?.['menuUpdates'] !== undefined));
    assert.notEqual(menuAfter[0]!.id, menuBefore[1]!.id);

    await Promise.all([boardAgain.cancel(), mineAgain.cancel(), menuAgain.cancel()]);
    assert.equal(boardAgain.events.length, boardAfter.length, 'nothing after the last entry');
    assert.equal(mineAgain.events.length, mineAfter.length);
    assert.equal(menuAgain.events.length, 2);
    await subscriptionsEnd();
  });

  it('a slow client dropped in the middle of an entry resumes with the rest of that entry and what followed', async () => {
    const board = await subscribeSse(gateway, KITCHEN, chef());
    await waitFor('subscribed', () => (gateway.app.liveSubscriptions === 1 ? true : undefined));

    // The board shows the entry's first order, then waits on the other nine's fetch while a
    // bigger entry arrives: 9 + 15 events waiting pass the queue limit of 20, and it is dropped.
    const first = STUB_MORE_ORDER_IDS.slice(0, 10);
    let release!: () => void;
    const answered = new Promise<void>((resolve) => (release = resolve));
    held = { ids: new Set(first.slice(1)), answered, release };
    await addEntry({ orders: placed(first) });
    await board.eventsUpTo(1);
    const second = STUB_MORE_ORDER_IDS.slice(10, 25);
    await addEntry({ orders: placed(second) });
    const dropped = await board.end();
    assert.deepEqual(kitchenOrders(dropped), [first[0], undefined]);
    assert.equal(dropped[1]!.result.errors?.[0]?.extensions?.['code'], 'SERVICE_UNAVAILABLE');
    held.release();
    held = undefined;
    await subscriptionsEnd();

    const resumed = await subscribeSse(gateway, KITCHEN, { ...chef(), 'last-event-id': board.lastEventId! });
    const missed = [...first.slice(1), ...second];
    await resumed.eventsUpTo(missed.length);
    const last = STUB_MORE_ORDER_IDS[25]!;
    await addEntry({ orders: placed([last]) });
    const after = await resumed.eventsUpTo(missed.length + 1);
    await resumed.cancel();
    assert.deepEqual(kitchenOrders(after), [...missed, last]);
    await subscriptionsEnd();
  });

  it('refuses a Last-Event-ID that is no event id with one BAD_USER_INPUT error naming it, then the end', async () => {
    for (const id of ['not-an-id', '1700000000000-0:first', '1700000000000-0:1:2']) {
      const refused = await subscribeSse(gateway, KITCHEN, { ...chef(), 'last-event-id': id });
      const events = await refused.end();
      assert.equal(events.length, 1, id);
      assert.equal(events[0]!.result.errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT', id);
      assert.match(events[0]!.result.errors![0]!.message, /Last-Event-ID/);
    }
  });

  it('a Last-Event-ID older than the events kept starts over: menuUpdates with the current menu', async () => {
    const menu = await subscribeSse(gateway, 'subscription { menuUpdates { id } }', { 'last-event-id': '1-0:0' });
    const [current] = await menu.eventsUpTo(1);
    await menu.cancel();
    assert.equal(current!.id, undefined);
    assert.deepEqual(current!.result.data, { menuUpdates: [{ id: STUB_DISH.id }] });
  });
});
