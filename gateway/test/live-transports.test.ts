import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startGateway, type RunningGateway } from './support/gateway-client.js';
import { startStubAuth, startStubOrders, STUB_DISH, type StubSubgraph } from './support/stub-subgraphs.js';

const PREFIX = `dishpatch-test-live-${process.pid}:`;
const MULTIPART_ACCEPT = 'multipart/mixed;subscriptionSpec=1.0, application/json';

/** Reads a streamed body until `done(text)` holds, then stops reading. */
async function readUntil(response: Response, done: (text: string) => boolean): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!done(text)) {
    const { value, done: ended } = await reader.read();
    if (ended) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}

describe('live transports on /graphql (stub subgraphs, a live-events stream of its own)', () => {
  let auth: StubSubgraph;
  let orders: StubSubgraph;
  let gateway: RunningGateway;
  let redis: Redis;

  before(async () => {
    auth = await startStubAuth();
    orders = await startStubOrders();
    redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: false });
    await redis.xadd(`${PREFIX}live:events`, '*', 'batch', JSON.stringify({ orders: [], menu: false, dishIds: [] }));
    gateway = await startGateway({
      AUTH_SUBGRAPH_URL: auth.url,
      ORDERS_SUBGRAPH_URL: orders.url,
      REDIS_PREFIX: PREFIX,
      GATEWAY_HEARTBEAT_MS: '100',
      GATEWAY_MAX_DEPTH: '4',
    });
  });

  after(async () => {
    await gateway.app.close();
    await auth.stop();
    await orders.stop();
    await redis.del(`${PREFIX}live:events`);
    redis.disconnect();
  });

  it("speaks Apollo's multipart protocol: current menu, heartbeats while idle, then a part per menu change", async () => {
    const response = await fetch(`${gateway.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: MULTIPART_ACCEPT },
      body: JSON.stringify({ query: 'subscription { menuUpdates { id } }' }),
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'multipart/mixed; boundary="graphql"; subscriptionSpec="1.0"');
    setTimeout(() => void redis.xadd(`${PREFIX}live:events`, '*', 'batch', JSON.stringify({ orders: [], menu: true, dishIds: [STUB_DISH.id] })), 400);
    const text = await readUntil(response, (sofar) => sofar.split('"payload"').length >= 3);
    const parts = text.split('\r\n--graphql').slice(1).map((part) => part.slice(part.indexOf('\r\n\r\n') + 4));
    // A heartbeat may come before the first payload too (the protocol allows it; Apollo Client skips them).
    const payloads = parts.filter((part) => part !== '{}');
    const payload = JSON.stringify({ payload: { data: { menuUpdates: [{ id: STUB_DISH.id }] } } });
    assert.deepEqual(payloads, [payload, payload]);
    assert.ok(parts.includes('{}'), 'a heartbeat while idle');
    assert.match(text, /^\r\n--graphql\r\ncontent-type: application\/json; charset=utf-8\r\n\r\n/);
  });

  it('applies the depth guard to subscription documents, as one error then the end', async () => {
    const response = await fetch(`${gateway.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: MULTIPART_ACCEPT },
      body: JSON.stringify({ query: 'subscription { myOrderUpdates { customer { orders { edges { node { id } } } } } }' }),
    });
    const text = await response.text();
    assert.match(text, /GRAPHQL_VALIDATION_FAILED/);
    assert.ok(text.endsWith('\r\n--graphql--\r\n'), text);
  });

  it('answers 406 to an Accept header that no transport serves, naming the ones it does', async () => {
    const response = await fetch(`${gateway.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/xml' },
      body: JSON.stringify({ query: '{ menu { id } }' }),
    });
    assert.equal(response.status, 406);
    assert.match(await response.text(), /multipart\/mixed;subscriptionSpec=1\.0 and text\/event-stream/);
  });

  it('serves a query over SSE too (graphql-sse serves every operation): one next, then complete', async () => {
    const response = await fetch(`${gateway.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: '{ menu { id } }' }),
    });
    assert.equal(await response.text(), `event: next\ndata: ${JSON.stringify({ data: { menu: [{ id: STUB_DISH.id }] } })}\n\nevent: complete\ndata:\n\n`);
  });
});
