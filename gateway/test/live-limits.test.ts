import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { liveEventsStreamKey, type LiveEventBatch } from '@dishpatch/orders-core/live-events';
import { TestIssuer, waitFor } from '@dishpatch/shared/testing';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { startGateway, type GraphQLBody, type RunningGateway } from './support/gateway-client.js';
import { addLiveEntry, MULTIPART_ACCEPT, subscribeMultipart } from './support/live-client.js';
import { startStubAuth, startStubOrders, STUB_DISH, STUB_ORDER_ID, STUB_USER, type StubSubgraph } from './support/stub-subgraphs.js';

const PREFIX = `dishpatch-test-live-limits-${process.pid}:`;
const STREAM = liveEventsStreamKey(PREFIX);
const MENU_SUBSCRIPTION = 'subscription { menuUpdates { id } }';

interface WsMessage {
  type: string;
  id?: string;
  payload?: unknown;
}

/** A raw graphql-transport-ws connection that records every message by operation id. */
async function openWebSocket(gateway: RunningGateway, authorization?: string): Promise<{ socket: WebSocket; byId: Map<string, WsMessage[]>; closed: Promise<void> }> {
  const socket = new WebSocket(`${gateway.base.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
  const byId = new Map<string, WsMessage[]>();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const acknowledged = new Promise<void>((resolve, reject) => {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as WsMessage;
      if (message.type === 'connection_ack') resolve();
      if (message.id !== undefined) byId.set(message.id, [...(byId.get(message.id) ?? []), message]);
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed before connection_ack')));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: authorization ? { authorization } : {} }));
  await acknowledged;
  return { socket, byId, closed };
}

function messagesOf(byId: Map<string, WsMessage[]>, id: string): WsMessage[] {
  return byId.get(id) ?? [];
}

const addEntry = (redis: Redis, batch: LiveEventBatch) => addLiveEntry(redis, PREFIX, batch);

const MENU_CHANGE: LiveEventBatch = { orders: [], menu: true, dishIds: [STUB_DISH.id] };
const MENU_PAYLOAD: GraphQLBody = { data: { menuUpdates: [{ id: STUB_DISH.id }] } };

function codesOf(body: GraphQLBody | undefined): unknown[] {
  return (body?.errors ?? []).map((error) => error.extensions?.['code']);
}

describe('live-update limits (stub subgraphs, a live-events stream of its own)', () => {
  let auth: StubSubgraph;
  let orders: StubSubgraph;
  let issuer: TestIssuer;
  let redis: Redis;

  before(async () => {
    auth = await startStubAuth();
    orders = await startStubOrders();
    issuer = await new TestIssuer().start();
    redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: false });
    await addEntry(redis, { orders: [], menu: false, dishIds: [] });
  });

  after(async () => {
    await auth.stop();
    await orders.stop();
    await issuer.stop();
    await redis.del(STREAM);
    redis.disconnect();
  });

  const gatewayWith = (environment: Record<string, string>) =>
    startGateway({
      AUTH_SUBGRAPH_URL: auth.url,
      ORDERS_SUBGRAPH_URL: orders.url,
      REDIS_PREFIX: PREFIX,
      AUTH_JWKS_URL: issuer.jwksUrl,
      GATEWAY_HEARTBEAT_MS: '60000',
      ...environment,
    });

  describe('GATEWAY_MAX_SUBSCRIPTIONS=2', () => {
    let gateway: RunningGateway;
    before(async () => {
      gateway = await gatewayWith({ GATEWAY_MAX_SUBSCRIPTIONS: '2' });
    });
    after(async () => {
      await gateway.app.close();
    });

    it('refuses a third subscription with one SERVICE_UNAVAILABLE error and the end, and takes a new one once one has ended', async () => {
      const first = await subscribeMultipart(gateway, MENU_SUBSCRIPTION);
      const second = await subscribeMultipart(gateway, MENU_SUBSCRIPTION);
      assert.deepEqual(await first.payloadsUpTo(1), [MENU_PAYLOAD]);
      assert.deepEqual(await second.payloadsUpTo(1), [MENU_PAYLOAD]);
      assert.equal(gateway.app.liveSubscriptions, 2);

      const third = await subscribeMultipart(gateway, MENU_SUBSCRIPTION);
      const refused = await third.end();
      assert.equal(refused.length, 1);
      assert.deepEqual(codesOf(refused[0]), ['SERVICE_UNAVAILABLE']);
      assert.match(refused[0]!.errors![0]!.message, /as many subscriptions as it may/);
      assert.equal(gateway.app.liveSubscriptions, 2);

      // The two running ones still get news.
      await addEntry(redis, MENU_CHANGE);
      assert.deepEqual(await first.payloadsUpTo(2), [MENU_PAYLOAD, MENU_PAYLOAD]);
      assert.deepEqual(await second.payloadsUpTo(2), [MENU_PAYLOAD, MENU_PAYLOAD]);

      await first.cancel();
      await waitFor('the closed subscription to leave the count', () => (gateway.app.liveSubscriptions === 1 ? true : undefined));
      const fourth = await subscribeMultipart(gateway, MENU_SUBSCRIPTION);
      assert.deepEqual(await fourth.payloadsUpTo(1), [MENU_PAYLOAD]);
      assert.equal(gateway.app.liveSubscriptions, 2);

      await second.cancel();
      await fourth.cancel();
      await waitFor('every subscription to end', () => (gateway.app.liveSubscriptions === 0 ? true : undefined));
    });

    it('holds to the cap when three subscriptions arrive at once (each waits on its token check)', async () => {
      const token = `Bearer ${issuer.token('CUSTOMER', { userId: STUB_USER.id })}`;
      const { socket, byId, closed } = await openWebSocket(gateway, token);
      for (const id of ['a', 'b', 'c']) socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: 'subscription { myOrderUpdates { id } }' } }));
      const refused = () => ['a', 'b', 'c'].flatMap((id) => messagesOf(byId, id)).filter((message) => message.type === 'next');
      await waitFor('a refusal, or a third subscription', () => (refused().length > 0 || gateway.app.liveSubscriptions > 2 ? true : undefined));
      assert.ok(gateway.app.liveSubscriptions <= 2, `the process holds ${gateway.app.liveSubscriptions} subscriptions, over its cap of 2`);
      await waitFor('two running', () => (gateway.app.liveSubscriptions === 2 ? true : undefined));
      const refusals = refused();
      assert.equal(refusals.length, 1);
      assert.deepEqual(codesOf(refusals[0]!.payload as GraphQLBody), ['SERVICE_UNAVAILABLE']);
      socket.close();
      await closed;
      await waitFor('every subscription to end', () => (gateway.app.liveSubscriptions === 0 ? true : undefined));
    });
  });

  describe('GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION=2, GATEWAY_SUBSCRIBER_QUEUE_LIMIT=20', () => {
    let gateway: RunningGateway;
    before(async () => {
      gateway = await gatewayWith({ GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION: '2', GATEWAY_SUBSCRIBER_QUEUE_LIMIT: '20', GATEWAY_MAX_ALIASES: '30' });
    });
    after(async () => {
      await gateway.app.close();
    });

    it('refuses the third operation on one WebSocket (sent at once with the others) with RATE_LIMITED; the two others keep working', async () => {
      const { socket, byId, closed } = await openWebSocket(gateway);
      for (const id of ['1', '2', '3']) socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: MENU_SUBSCRIPTION } }));
      await waitFor('the current menu on 1 and 2, an answer on 3', () =>
        ['1', '2', '3'].every((id) => messagesOf(byId, id).length > 0) ? true : undefined,
      );
      const refusal = messagesOf(byId, '3');
      assert.equal(refusal.length, 1);
      assert.equal(refusal[0]!.type, 'error');
      const errors = refusal[0]!.payload as Array<{ message: string; extensions?: Record<string, unknown> }>;
      assert.equal(errors[0]!.extensions?.['code'], 'RATE_LIMITED');
      assert.match(errors[0]!.message, /At most 2 operations at once on one connection/);
      assert.equal(socket.readyState, WebSocket.OPEN, 'the connection stays open');
      assert.equal(gateway.app.liveSubscriptions, 2);

      await addEntry(redis, MENU_CHANGE);
      for (const id of ['1', '2']) {
        await waitFor(`the menu change on ${id}`, () => (messagesOf(byId, id).length >= 2 ? true : undefined));
        assert.deepEqual(messagesOf(byId, id).map((message) => [message.type, message.payload]), [['next', MENU_PAYLOAD], ['next', MENU_PAYLOAD]]);
      }

      // Completing one makes room for another on the same connection.
      socket.send(JSON.stringify({ id: '1', type: 'complete' }));
      await waitFor('the completed one to leave the count', () => (gateway.app.liveSubscriptions === 1 ? true : undefined));
      socket.send(JSON.stringify({ id: '4', type: 'subscribe', payload: { query: MENU_SUBSCRIPTION } }));
      await waitFor('the current menu on 4', () => (messagesOf(byId, '4').length > 0 ? true : undefined));
      assert.deepEqual(messagesOf(byId, '4')[0], { id: '4', type: 'next', payload: MENU_PAYLOAD });

      socket.close();
      await closed;
      await waitFor('every subscription to end', () => (gateway.app.liveSubscriptions === 0 ? true : undefined));
    });

    it('drops a client that stops reading (SERVICE_UNAVAILABLE, then the end) and releases it, while a reading one keeps every event', async () => {
      const token = `Bearer ${issuer.token('CHEF')}`;
      // About 1.5 KB a result, so the socket's buffers fill after a few hundred.
      const fields = Array.from({ length: 25 }, (_, index) => `h${index}: statusHistory { status at }`).join(' ');
      const query = `subscription { kitchenUpdates { id ${fields} } }`;
      const reading = await subscribeMultipart(gateway, query, { authorization: token });

      // The slow client: node:http stops reading the socket while its response is paused.
      const body = JSON.stringify({ query });
      const { port } = new URL(gateway.base);
      const slow = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', accept: MULTIPART_ACCEPT, authorization: token, 'content-length': Buffer.byteLength(body) } }, resolve);
        req.once('error', reject);
        req.end(body);
      });
      assert.equal(slow.statusCode, 200);
      slow.pause();
      await waitFor('both subscribed', () => (gateway.app.liveSubscriptions === 2 ? true : undefined));

      // Batches smaller than the queue limit, each sent once the reading client has the last:
      // the reading client never falls behind; the slow one falls behind only by not reading.
      const perEntry = 10;
      const event = { orderId: STUB_ORDER_ID, userId: STUB_USER.id, status: 'WAITING' as const, at: STUB_DISH.createdAt };
      let sent = 0;
      while (gateway.app.liveSubscriptions === 2) {
        assert.ok(sent < 20_000, 'the slow client was never dropped');
        await addEntry(redis, { orders: Array.from({ length: perEntry }, () => event), menu: false, dishIds: [] });
        sent += perEntry;
        await reading.payloadsUpTo(sent);
      }
      assert.equal(gateway.app.liveSubscriptions, 1, 'the slow subscription left the count; the reading one is still there');

      // The reading client still gets news.
      await addEntry(redis, { orders: [event], menu: false, dishIds: [] });
      sent += 1;
      const received = await reading.payloadsUpTo(sent);
      assert.equal(received.length, sent);
      assert.ok(received.every((payload) => payload.errors === undefined));

      // The slow client, reading at last, finds what was queued before the drop, the reason, and the end.
      slow.resume();
      let text = '';
      for await (const chunk of slow) text += String(chunk);
      assert.ok(text.endsWith('\r\n--graphql--\r\n'), 'the response ended');
      const parts = text.split('\r\n--graphql').slice(1, -1).map((part) => part.slice(part.indexOf('\r\n\r\n') + 4)).filter((part) => part !== '{}');
      const payloads = parts.map((part) => (JSON.parse(part) as { payload: GraphQLBody }).payload);
      const last = payloads.at(-1)!;
      assert.deepEqual(codesOf(last), ['SERVICE_UNAVAILABLE']);
      assert.match(last.errors![0]!.message, /too slowly and was dropped/);
      assert.ok(payloads.length - 1 < sent, `the slow client got ${payloads.length - 1} of ${sent} events`);
      assert.ok(payloads.slice(0, -1).every((payload) => payload.errors === undefined));

      await reading.cancel();
      await waitFor('every subscription to end', () => (gateway.app.liveSubscriptions === 0 ? true : undefined));
    });

    it('ends a subscription with UNAUTHENTICATED when its token expires', async () => {
      const token = `Bearer ${issuer.token('CUSTOMER', { userId: STUB_USER.id, ttlSeconds: 2 })}`;
      const subscription = await subscribeMultipart(gateway, 'subscription { myOrderUpdates { id status } }', { authorization: token });
      await waitFor('the subscription to start', () => (gateway.app.liveSubscriptions === 1 ? true : undefined));
      // An event before expiry is delivered.
      await addEntry(redis, { orders: [{ orderId: STUB_ORDER_ID, userId: STUB_USER.id, status: 'WAITING', at: STUB_DISH.createdAt }], menu: false, dishIds: [] });
      const started = Date.now();
      const payloads = await subscription.end();
      assert.ok(Date.now() - started < 15_000, 'ended near the token expiry');
      // The event is delivered unless the token has expired first (a very slow machine).
      const last = payloads.at(-1);
      assert.deepEqual(codesOf(last), ['UNAUTHENTICATED'], JSON.stringify(payloads));
      assert.match(last!.errors![0]!.message, /expired/);
      assert.ok(payloads.length <= 2);
      if (payloads.length === 2) assert.deepEqual(payloads[0], { data: { myOrderUpdates: { id: STUB_ORDER_ID, status: 'WAITING' } } });
      await waitFor('the expired subscription to leave the count', () => (gateway.app.liveSubscriptions === 0 ? true : undefined));
    });
  });
});
