import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { GraphQLAnswerer, GraphQLHttpResponse } from '@dishpatch/shared/http';
import { testLogger } from '@dishpatch/shared/testing';
import { sharingIdenticalQueries } from '../src/shared-query-answers.js';
import { ViewerWrites } from '../src/viewer-writes.js';
import { startGateway, type RunningGateway } from './support/gateway-client.js';
import { startStubAuth, startStubOrders, STUB_ORDER_ID, STUB_TOKEN, STUB_USER, type StubSubgraph } from './support/stub-subgraphs.js';

const MENU = { query: 'query Menu { menu { id name } }' };
const JSON_HEADERS = { 'content-type': 'application/json' };

/** A 200 naming its execution. */
const answeringOk = (execution: number): GraphQLHttpResponse => ({
  status: 200,
  headers: [['content-type', 'application/json; charset=utf-8']],
  body: JSON.stringify({ data: { execution } }),
});

/**
 * An engine that holds every request until the test releases it, so the callers of a test are
 * certainly in flight together, and answers each with the number of requests it ran before it:
 * callers who shared an execution get the same number.
 */
class HeldEngine {
  executions = 0;
  private held: Array<() => void> = [];
  /** What the next executions answer. */
  respond: (execution: number) => GraphQLHttpResponse | Error = answeringOk;

  readonly answer: GraphQLAnswerer<{ viewer: string }> = async (_request, context) => {
    await context();
    this.executions += 1;
    const response = this.respond(this.executions);
    await new Promise<void>((resolve) => this.held.push(resolve));
    if (response instanceof Error) throw response;
    return response;
  };

  /** Releases every request held so far, once `count` have started (or after 2 s, for the test to see how many did). */
  async releaseWhenStarted(count: number): Promise<void> {
    const deadline = Date.now() + 2000;
    while (this.executions < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    for (const release of this.held.splice(0)) release();
  }
}

function setUp() {
  const engine = new HeldEngine();
  const writes = new ViewerWrites();
  const answer = sharingIdenticalQueries(engine.answer, { parseOptions: { maxTokens: 100 }, writes });
  const send = (body: unknown, headers: IncomingHttpHeaders = {}, method = 'POST') =>
    answer({ method, body, search: '', headers: { ...JSON_HEADERS, ...headers }, log: testLogger }, async () => ({ viewer: 'someone' }));
  const executionOf = async (response: Promise<GraphQLHttpResponse>) => (JSON.parse((await response).body as string) as { data: { execution: number } }).data.execution;
  return { engine, writes, send, executionOf };
}

describe('identical client queries in flight together', () => {
  it('share one execution, and every caller gets its whole answer: status, headers and body', async () => {
    const { engine, send } = setUp();
    const callers = Array.from({ length: 20 }, () => send(MENU, { authorization: 'Bearer one', 'x-request-id': crypto.randomUUID() }));
    await engine.releaseWhenStarted(1);
    const answers = await Promise.all(callers);

    assert.equal(engine.executions, 1);
    for (const answer of answers) {
      assert.equal(answer.status, 200);
      assert.deepEqual([...answer.headers], [['content-type', 'application/json; charset=utf-8']]);
      assert.equal(answer.body, '{"data":{"execution":1}}');
    }
  });

  it('are never shared across a different Authorization, Accept or variables', async () => {
    const { engine, send, executionOf } = setUp();
    const withVariables = { query: 'query Dish($id: ID!) { dish(id: $id) { name } }' };
    const callers = [
      send(MENU, { authorization: 'Bearer one' }),
      send(MENU, { authorization: 'Bearer two' }),
      send(MENU),
      send(MENU, { authorization: 'Bearer one', accept: 'application/graphql-response+json' }),
      send({ ...withVariables, variables: { id: 'a' } }),
      send({ ...withVariables, variables: { id: 'b' } }),
      send(MENU, { authorization: 'Bearer one' }),
    ];
    await engine.releaseWhenStarted(6);
    const executions = await Promise.all(callers.map(executionOf));

    assert.equal(engine.executions, 6);
    assert.equal(new Set(executions.slice(0, 6)).size, 6);
    assert.equal(executions[6], executions[0], 'the last caller repeats the first');
  });

  it('never share a mutation, also one picked out of a document that holds a query too', async () => {
    const { engine, send } = setUp();
    const document = 'query Menu { menu { id } } mutation Cancel { cancelOrder(id: "x") { id } }';
    const callers = [
      ...Array.from({ length: 3 }, () => send({ query: 'mutation { cancelOrder(id: "x") { id } }' })),
      ...Array.from({ length: 3 }, () => send({ query: document, operationName: 'Cancel' })),
      ...Array.from({ length: 3 }, () => send({ query: document, operationName: 'Menu' })),
    ];
    await engine.releaseWhenStarted(7);
    await Promise.all(callers);

    assert.equal(engine.executions, 7, 'six mutations on their own, three queries in one');
  });

  it('leave to the engine, each on its own, what it must refuse or answer differently: a GET, a batch, a document that does not parse or is over the token limit', async () => {
    const { engine, send } = setUp();
    const overTheLimit = { query: `query { ${Array.from({ length: 60 }, (_, index) => `a${index}: menu { id }`).join(' ')} }` };
    const callers = [
      send(undefined, {}, 'GET'),
      send(undefined, {}, 'GET'),
      send([MENU, MENU]),
      send([MENU, MENU]),
      send({ query: 'query {' }),
      send({ query: 'query {' }),
      send(overTheLimit),
      send(overTheLimit),
      send({ ...MENU, operationName: 'Missing' }),
      send({ ...MENU, operationName: 'Missing' }),
    ];
    await engine.releaseWhenStarted(10);
    await Promise.all(callers);

    assert.equal(engine.executions, 10);
  });

  it('never hand on an answer with errors or a status other than 200: each caller waiting on it runs its own', async () => {
    const { engine, send, executionOf } = setUp();
    engine.respond = (execution) => ({
      status: 200,
      headers: [],
      body: JSON.stringify({ data: { execution }, errors: [{ message: 'Service unavailable', extensions: { code: 'SERVICE_UNAVAILABLE' } }] }),
    });
    const withErrors = Array.from({ length: 3 }, () => send(MENU));
    await engine.releaseWhenStarted(1);
    await engine.releaseWhenStarted(3);
    assert.deepEqual((await Promise.all(withErrors.map(executionOf))).sort(), [1, 2, 3]);

    engine.respond = (execution) => ({ status: 400, headers: [], body: JSON.stringify({ data: { execution } }) });
    const refused = Array.from({ length: 3 }, () => send(MENU));
    await engine.releaseWhenStarted(4);
    await engine.releaseWhenStarted(6);
    assert.deepEqual((await Promise.all(refused.map(executionOf))).sort(), [4, 5, 6]);
  });

  it('never hand on a streamed answer (incremental delivery)', async () => {
    const { engine, send } = setUp();
    engine.respond = () => ({
      status: 200,
      headers: [['content-type', 'multipart/mixed; boundary="-"']],
      body: (async function* () {
        yield '---';
      })(),
    });
    const callers = Array.from({ length: 3 }, () => send(MENU, { accept: 'multipart/mixed' }));
    await engine.releaseWhenStarted(1);
    await engine.releaseWhenStarted(3);
    const answers = await Promise.all(callers);

    assert.equal(engine.executions, 3);
    for (const answer of answers) assert.equal(typeof answer.body, 'object');
  });

  it('give the failure to its own caller only: the others run their own', async () => {
    const { engine, send, executionOf } = setUp();
    engine.respond = (execution) => (execution === 1 ? new Error('the engine broke') : answeringOk(execution));
    const first = send(MENU);
    const others = [send(MENU), send(MENU)];
    await engine.releaseWhenStarted(1);
    await assert.rejects(first, /the engine broke/);
    await engine.releaseWhenStarted(3);

    assert.deepEqual((await Promise.all(others.map(executionOf))).sort(), [2, 3]);
  });

  it("are not joined by a viewer's query sent after its own mutation was answered; other viewers still join", async () => {
    const { engine, writes, send, executionOf } = setUp();
    const beforeTheWrite = [send(MENU, { authorization: 'Bearer writer' }), send(MENU, { authorization: 'Bearer reader' })];
    writes.wrote('Bearer writer');
    const afterTheWrite = [send(MENU, { authorization: 'Bearer writer' }), send(MENU, { authorization: 'Bearer reader' })];
    await engine.releaseWhenStarted(3);
    const [writerBefore, readerBefore, writerAfter, readerAfter] = await Promise.all([...beforeTheWrite, ...afterTheWrite].map(executionOf));

    assert.equal(engine.executions, 3);
    assert.notEqual(writerAfter, writerBefore);
    assert.equal(readerAfter, readerBefore);
  });

  it('join nothing that started before the memory of writes started over (past 10,000 viewers)', async () => {
    const { engine, writes, send, executionOf } = setUp();
    const markBefore = writes.markOf('Bearer writer');
    const beforeTheWrite = send(MENU, { authorization: 'Bearer writer' });
    writes.wrote('Bearer writer');
    for (let viewer = 0; viewer < 10_000; viewer += 1) writes.wrote(`Bearer viewer-${viewer}`);
    assert.notEqual(writes.markOf('Bearer writer'), markBefore, "the writer's mark, forgotten, is not the one its earlier query was keyed by");
    const afterTheWrite = send(MENU, { authorization: 'Bearer writer' });
    await engine.releaseWhenStarted(2);

    assert.deepEqual(await Promise.all([beforeTheWrite, afterTheWrite].map(executionOf)), [1, 2]);
  });

  it('keep nothing once answered: the same query later runs again', async () => {
    const { engine, send, executionOf } = setUp();
    const first = send(MENU);
    await engine.releaseWhenStarted(1);
    assert.equal(await executionOf(first), 1);
    const second = send(MENU);
    await engine.releaseWhenStarted(2);

    assert.equal(await executionOf(second), 2);
  });
});

describe('a crowd of identical queries through the gateway, some signed in and some not', () => {
  let auth: StubSubgraph;
  let orders: StubSubgraph;
  let gateway: RunningGateway;
  let releaseOrder: () => void = () => {};
  let orderHeld = Promise.resolve();

  before(async () => {
    auth = await startStubAuth();
    orders = await startStubOrders((orderId) => (orderId === STUB_ORDER_ID ? orderHeld : undefined));
    gateway = await startGateway({ AUTH_SUBGRAPH_URL: auth.url, ORDERS_SUBGRAPH_URL: orders.url });
  });

  after(async () => {
    releaseOrder();
    await gateway.app.close();
    await auth.stop();
    await orders.stop();
  });

  it("each gets its own viewer's answer and its own request id, and the orders subgraph is asked once per viewer", async () => {
    orderHeld = new Promise((resolve) => (releaseOrder = resolve));
    orders.received.length = 0;
    let arrived = 0;
    const countArrival = () => (arrived += 1);
    gateway.app.http.server.on('request', countArrival);
    const query = 'query Both($id: ID!) { me { username } order(id: $id) { id } }';
    const callers = Array.from({ length: 10 }, (_, index) =>
      gateway.query<{ me: { username: string } | null; order: { id: string } }>(query, {
        variables: { id: STUB_ORDER_ID },
        headers: { 'x-request-id': `crowd-${index}`, ...(index % 2 === 0 ? { authorization: STUB_TOKEN } : {}) },
      }),
    );
    // Every request has reached the gateway, and has had time to have its body read, before any is answered.
    const deadline = Date.now() + 5000;
    while (arrived < callers.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    gateway.app.http.server.off('request', countArrival);
    await new Promise((resolve) => setTimeout(resolve, 200));
    releaseOrder();
    const answers = await Promise.all(callers);

    for (const [index, { status, headers, body }] of answers.entries()) {
      assert.equal(status, 200);
      assert.equal(headers.get('x-request-id'), `crowd-${index}`);
      assert.equal(body.errors, undefined);
      assert.deepEqual(body.data, { me: index % 2 === 0 ? { username: STUB_USER.username } : null, order: { id: STUB_ORDER_ID } });
    }
    assert.equal(orders.received.length, 2);
  });

  it('a query sent after its viewer\'s mutation was answered runs on its own, though an identical one started before is still in flight', async () => {
    orderHeld = new Promise((resolve) => (releaseOrder = resolve));
    orders.received.length = 0;
    const query = 'query Mine($id: ID!) { order(id: $id) { id } }';
    const asked = (requestId: string) => gateway.query(query, { variables: { id: STUB_ORDER_ID }, headers: { authorization: STUB_TOKEN, 'x-request-id': requestId } });
    const beforeTheWrite = asked('before-the-write');
    const deadline = Date.now() + 5000;
    while (orders.received.length < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    // The stub has no mutations of its own: the answer is an error, but a mutation ran.
    await gateway.query('mutation { cancelOrder(id: "9a0c1f5d-7e2b-4b8a-a1d3-5c6e7f809a12") { id } }', { headers: { authorization: STUB_TOKEN } });
    const afterTheWrite = asked('after-the-write');
    while (orders.received.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    releaseOrder();
    await Promise.all([beforeTheWrite, afterTheWrite]);

    assert.deepEqual(
      orders.received.map((headers) => headers['x-request-id']).filter((id) => id === 'before-the-write' || id === 'after-the-write'),
      ['before-the-write', 'after-the-write'],
    );
  });
});
