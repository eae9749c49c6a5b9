import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GATEWAY_SECRET_HEADER } from '@dishpatch/shared/http';
import { loadGatewayConfig } from '../src/config.js';
import { capturingLogger, startGateway, type RunningGateway } from './support/gateway-client.js';
import {
  LEAKY_MESSAGE,
  SLOW_ANSWER_MS,
  startStubAuth,
  startStubOrders,
  STUB_DISH,
  STUB_ORDER_ID,
  STUB_SECRET,
  STUB_TOKEN,
  STUB_USER,
  type StubSubgraph,
} from './support/stub-subgraphs.js';

const LIMITS = {
  GATEWAY_MAX_BODY_BYTES: '4096',
  GATEWAY_MAX_DEPTH: '6',
  GATEWAY_MAX_ALIASES: '5',
  GATEWAY_MAX_TOKENS: '300',
  GATEWAY_MAX_COST: '60',
  GATEWAY_MAX_DIRECTIVES: '3',
};

function codeOf(error: { extensions?: Record<string, unknown> } | undefined): unknown {
  return error?.extensions?.['code'];
}

describe('gateway over both subgraphs', () => {
  let auth: StubSubgraph;
  let orders: StubSubgraph;
  let gateway: RunningGateway;

  before(async () => {
    auth = await startStubAuth();
    orders = await startStubOrders();
    gateway = await startGateway({ AUTH_SUBGRAPH_URL: auth.url, ORDERS_SUBGRAPH_URL: orders.url, ...LIMITS });
  });

  after(async () => {
    await gateway.app.close();
    await auth.stop();
    await orders.stop();
  });

  it('routes to the subgraph URLs the environment gives, not supergraph.yaml', () => {
    assert.deepEqual(gateway.app.subgraphUrls, { auth: auth.url, orders: orders.url });
  });

  it('answers a query that needs both subgraphs: the order from orders, its customer from auth', async () => {
    const { status, body } = await gateway.query(`query($id: ID!) { order(id: $id) { id status customer { id username } } }`, {
      variables: { id: STUB_ORDER_ID },
    });
    assert.equal(status, 200);
    assert.equal(body.errors, undefined);
    assert.deepEqual(body.data, {
      order: { id: STUB_ORDER_ID, status: 'WAITING', customer: { id: STUB_USER.id, username: STUB_USER.username } },
    });
  });

  it('forwards Authorization, the request id and the client address to every subgraph it calls', async () => {
    auth.received.length = 0;
    orders.received.length = 0;
    const { headers, body } = await gateway.query(`{ me { username } menu { name } }`, {
      headers: { authorization: STUB_TOKEN, 'x-request-id': 'req-forward-1' },
    });
    assert.deepEqual(body.data, { me: { username: STUB_USER.username }, menu: [{ name: STUB_DISH.name }] });
    assert.equal(headers.get('x-request-id'), 'req-forward-1');
    for (const subgraph of [auth, orders]) {
      assert.equal(subgraph.received.length, 1, `${subgraph.name} was called once`);
      const received = subgraph.received[0]!;
      assert.equal(received.authorization, STUB_TOKEN, `${subgraph.name} got the token`);
      assert.equal(received['x-request-id'], 'req-forward-1', `${subgraph.name} got the request id`);
      assert.equal(received['x-forwarded-for'], '127.0.0.1', `${subgraph.name} got the client address`);
    }
  });

  it('makes a request id when the client sends none, and gives the subgraphs the same one', async () => {
    orders.received.length = 0;
    const { headers } = await gateway.query(`{ menu { name } }`);
    const requestId = headers.get('x-request-id');
    assert.match(requestId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(orders.received[0]?.['x-request-id'], requestId);
  });

  it('sends the shared secret with every subgraph request, so the subgraphs answer it and no one else', async () => {
    auth.received.length = 0;
    orders.received.length = 0;
    const { body } = await gateway.query(`query($id: ID!) { order(id: $id) { id customer { username } } }`, { variables: { id: STUB_ORDER_ID } });
    assert.equal(body.errors, undefined);
    for (const subgraph of [auth, orders]) assert.equal(subgraph.received[0]?.[GATEWAY_SECRET_HEADER], STUB_SECRET, subgraph.name);
    const direct = await fetch(orders.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ menu { name } }' }) });
    assert.equal(direct.status, 403);
    await direct.body?.cancel();
  });

  it('does not let a client choose the forwarded address unless configured to trust it', async () => {
    orders.received.length = 0;
    await gateway.query(`{ menu { name } }`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    assert.equal(orders.received[0]?.['x-forwarded-for'], '127.0.0.1');
  });

  it("passes a subgraph's contract error through with its code and field", async () => {
    const { body } = await gateway.query(`{ dish(id: "") { name } }`);
    assert.equal(codeOf(body.errors?.[0]), 'BAD_USER_INPUT');
    assert.equal(body.errors?.[0]?.message, 'id: must not be empty');
    assert.equal(body.errors?.[0]?.extensions?.['field'], 'id');
  });

  it('passes UNAUTHENTICATED through with its message', async () => {
    const { body } = await gateway.query(`{ user(id: "${STUB_USER.id}") { username } }`, { headers: { authorization: 'Bearer x.y.z' } });
    assert.equal(codeOf(body.errors?.[0]), 'UNAUTHENTICATED');
    assert.equal(body.errors?.[0]?.message, 'Access token expired');
  });

  it('masks an unexpected subgraph error: no message, stack or SQL reaches the client', async () => {
    const response = await gateway.post(JSON.stringify({ query: `{ dish(id: "leak") { name } }` }));
    const text = await response.text();
    assert.doesNotMatch(text, /secret_orders_table|stack|\bat \//);
    assert.ok(!text.includes(LEAKY_MESSAGE));
    const body = JSON.parse(text) as { errors: Array<{ message: string; extensions: { code: string } }> };
    assert.equal(body.errors[0]?.message, 'Internal server error');
    assert.equal(body.errors[0]?.extensions.code, 'INTERNAL_SERVER_ERROR');
  });

  it('answers an operationName the document does not hold with a 400 naming it', async () => {
    const response = await gateway.post(JSON.stringify({ query: 'query Dishes { menu { id } }', operationName: 'Menu' }));
    assert.equal(response.status, 400);
    const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    assert.equal(body.errors[0]?.extensions.code, 'OPERATION_RESOLUTION_FAILURE');
    assert.equal(body.errors[0]?.message, 'Unknown operation named "Menu"');
  });

  describe('guards', () => {
    it('refuses a query deeper than the limit, naming the limit', async () => {
      const { status, body } = await gateway.query(
        `{ me { orders { edges { node { customer { orders { edges { node { id } } } } } } } } }`,
      );
      assert.equal(status, 400);
      assert.equal(codeOf(body.errors?.[0]), 'GRAPHQL_VALIDATION_FAILED');
      assert.ok(
        body.errors?.some((error) => /Query depth limit of 6 exceeded, found 9/.test(error.message)),
        JSON.stringify(body.errors),
      );
    });

    it('refuses more aliases than the limit', async () => {
      const aliases = Array.from({ length: 6 }, (_, index) => `a${index}: menu { id }`).join(' ');
      const { status, body } = await gateway.query(`{ ${aliases} }`);
      assert.equal(status, 400);
      assert.match(body.errors?.[0]?.message ?? '', /Aliases limit of 5 exceeded/);
    });

    it('refuses more directives than the limit', async () => {
      const { status, body } = await gateway.query(`{ menu { id @include(if: true) @include(if: true) name @skip(if: false) price @skip(if: false) } }`);
      assert.equal(status, 400);
      assert.match(body.errors?.[0]?.message ?? '', /Directives limit of 3 exceeded/);
    });

    it('refuses a query over the cost limit, counting a page size as that many objects', async () => {
      const small = await gateway.query(`{ myOrders(first: 1) { edges { node { id status total } } } }`);
      assert.notEqual(small.status, 400, JSON.stringify(small.body.errors));
      const { status, body } = await gateway.query(`{ myOrders(first: 100) { edges { node { id status total } } } }`);
      assert.equal(status, 400);
      assert.match(body.errors?.[0]?.message ?? '', /Query Cost limit of 60 exceeded/);
    });

    it('refuses a document with more tokens than the limit before validating it', async () => {
      const fields = Array.from({ length: 400 }, () => 'id').join(' ');
      const { status, body } = await gateway.query(`{ menu { ${fields} } }`);
      assert.equal(status, 400);
      assert.equal(codeOf(body.errors?.[0]), 'GRAPHQL_PARSE_FAILED');
      assert.match(body.errors?.[0]?.message ?? '', /Document contains more th\w+ 300 tokens/);
    });

    it('refuses a body over the size limit with a 413', async () => {
      const response = await gateway.post(JSON.stringify({ query: `{ menu { id } }`, variables: { padding: 'x'.repeat(5000) } }));
      assert.equal(response.status, 413);
      const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      assert.equal(body.errors[0]?.extensions.code, 'PAYLOAD_TOO_LARGE');
      assert.match(body.errors[0]!.message, /larger than 4096 bytes/);
    });

    it('refuses a batch of operations when batching is not configured', async () => {
      const response = await gateway.post(JSON.stringify([{ query: '{ menu { id } }' }, { query: '{ menu { name } }' }]));
      assert.equal(response.status, 400);
      const body = (await response.json()) as { errors: Array<{ message: string }> };
      assert.match(body.errors[0]!.message, /batching disabled/i);
    });

    it('answers malformed JSON with a 400 that says so', async () => {
      const response = await gateway.post('{"query": "{ menu { id } }"');
      assert.equal(response.status, 400);
      const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      assert.equal(body.errors[0]?.extensions.code, 'BAD_REQUEST');
      assert.match(body.errors[0]!.message, /not valid JSON/);
    });

    it('answers a query that does not parse with a 400 and where it failed', async () => {
      const { status, body } = await gateway.query(`{ menu { id `);
      assert.equal(status, 400);
      assert.equal(codeOf(body.errors?.[0]), 'GRAPHQL_PARSE_FAILED');
      assert.match(body.errors?.[0]?.message ?? '', /Syntax Error/);
    });

    it('is unharmed after all of the above', async () => {
      const { status, body } = await gateway.query(`{ menu { name price } }`);
      assert.equal(status, 200);
      assert.deepEqual(body.data, { menu: [{ name: STUB_DISH.name, price: STUB_DISH.price }] });
    });
  });

  it('serves /health and /ready naming each subgraph on the GraphQL port, and Prometheus /metrics only on a port of its own', async () => {
    assert.equal((await fetch(`${gateway.base}/health`)).status, 200);
    const ready = await fetch(`${gateway.base}/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', checks: { auth: 'ok', orders: 'ok' } });
    assert.equal((await fetch(`${gateway.base}/metrics`)).status, 404, 'no metrics on the public port');
    const metrics = await fetch(`${gateway.metricsBase}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /http_request_duration_seconds_count\{[^}]*route="\/graphql"/);
    assert.equal((await fetch(`${gateway.metricsBase}/graphql`, { method: 'POST' })).status, 404, 'no GraphQL on the metrics port');
  });

  it('listens for metrics on 127.0.0.1:9400 unless configured otherwise, as the Apollo Router does', () => {
    const defaults = loadGatewayConfig({});
    assert.equal(defaults.GATEWAY_METRICS_PORT, 9400);
    assert.equal(defaults.GATEWAY_METRICS_HOST, '127.0.0.1');
    assert.throws(() => loadGatewayConfig({ GATEWAY_METRICS_HOST: 'not an address' }), /GATEWAY_METRICS_HOST/);
  });
});

describe('gateway given requests it cannot serve', () => {
  let auth: StubSubgraph;
  let orders: StubSubgraph;
  let gateway: RunningGateway;
  const log = capturingLogger();

  before(async () => {
    auth = await startStubAuth();
    orders = await startStubOrders();
    gateway = await startGateway({ AUTH_SUBGRAPH_URL: auth.url, ORDERS_SUBGRAPH_URL: orders.url }, log.logger);
  });

  after(async () => {
    await gateway.app.close();
    await auth.stop();
    await orders.stop();
  });

  it('answers an APQ hash that does not match its query with a 400 BAD_USER_INPUT naming the hash', async () => {
    const query = '{ menu { id } }';
    const response = await gateway.post(JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash: 'ab'.repeat(32) } } }));
    assert.equal(response.status, 400);
    const body = (await response.json()) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
    assert.equal(body.errors[0]?.extensions['code'], 'BAD_USER_INPUT');
    assert.equal(body.errors[0]?.extensions['field'], 'extensions.persistedQuery.sha256Hash');
    assert.match(body.errors[0]?.message ?? '', /^extensions\.persistedQuery\.sha256Hash: /);
    // The right hash still registers and runs the query.
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const right = await gateway.post(JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash } } }));
    assert.deepEqual(await right.json(), { data: { menu: [{ id: STUB_DISH.id }] } });
  });

  it('answers a subscription sent as a plain POST with a 400 that names the transports that serve it, logged below ERROR', async () => {
    log.lines.length = 0;
    const response = await gateway.post(JSON.stringify({ query: 'subscription OrderUpdates { orderUpdated(id: "4f0c5f8e-8f0e-4a43-9f43-7b6a64a0c001") { id } }' }));
    assert.equal(response.status, 400);
    const body = (await response.json()) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
    assert.equal(body.errors.length, 1);
    assert.equal(body.errors[0]?.extensions['code'], 'GRAPHQL_VALIDATION_FAILED');
    assert.match(body.errors[0]?.message ?? '', /plain JSON request cannot carry a subscription.*multipart\/mixed;subscriptionSpec=1\.0.*text\/event-stream.*WebSocket/i);
    const errorLines = log.lines.filter((line) => Number(line['level']) >= 50);
    assert.deepEqual(errorLines, [], 'nothing logged as an error');
  });
});

describe('gateway with batching configured', () => {
  let orders: StubSubgraph;
  let gateway: RunningGateway;

  before(async () => {
    orders = await startStubOrders();
    gateway = await startGateway({ AUTH_SUBGRAPH_URL: 'http://127.0.0.1:9/graphql', ORDERS_SUBGRAPH_URL: orders.url, GATEWAY_ALLOW_BATCHING: 'true' });
  });

  after(async () => {
    await gateway.app.close();
    await orders.stop();
  });

  it('answers each operation of a batch', async () => {
    const response = await gateway.post(JSON.stringify([{ query: '{ menu { id } }' }, { query: '{ menu { name } }' }]));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), [{ data: { menu: [{ id: STUB_DISH.id }] } }, { data: { menu: [{ name: STUB_DISH.name }] } }]);
  });
});

describe('gateway with one subgraph down', () => {
  let auth: StubSubgraph;
  let orders: StubSubgraph;
  let gateway: RunningGateway;
  const log = capturingLogger();

  before(async () => {
    auth = await startStubAuth();
    orders = await startStubOrders();
    gateway = await startGateway({ AUTH_SUBGRAPH_URL: auth.url, ORDERS_SUBGRAPH_URL: orders.url }, log.logger);
    // Warm the keep-alive pool first, so the test also covers connections that die under it.
    await gateway.query(`{ me { id } menu { id } }`);
    await auth.stop();
  });

  after(async () => {
    await gateway.app.close();
    await orders.stop();
  });

  it('still answers queries that only touch the other subgraph', async () => {
    const { status, body } = await gateway.query(`{ menu { name } }`);
    assert.equal(status, 200);
    assert.deepEqual(body, { data: { menu: [{ name: STUB_DISH.name }] } });
  });

  it('gives the missing part a clear error naming the service, at its path, and the rest of the data', async () => {
    const { body } = await gateway.query(`{ menu { name } me { username } }`, { headers: { authorization: STUB_TOKEN } });
    assert.deepEqual(body.data, { menu: [{ name: STUB_DISH.name }], me: null });
    assert.equal(body.errors?.length, 1);
    assert.equal(codeOf(body.errors?.[0]), 'SERVICE_UNAVAILABLE');
    assert.equal(body.errors?.[0]?.extensions?.['serviceName'], 'auth');
    assert.deepEqual(body.errors?.[0]?.path, ['me']);
    assert.match(body.errors?.[0]?.message ?? '', /auth service is unavailable/);
  });

  it("nulls an order's customer only, with the error at that field, and logs the SERVICE_UNAVAILABLE it gave", async () => {
    log.lines.length = 0;
    const { body } = await gateway.query(`query FollowOrder($id: ID!) { order(id: $id) { id customer { username } } }`, {
      variables: { id: STUB_ORDER_ID },
      headers: { 'x-request-id': 'req-unavailable-1' },
    });
    assert.deepEqual(body.data, { order: { id: STUB_ORDER_ID, customer: null } });
    assert.equal(body.errors?.length, 1);
    assert.equal(codeOf(body.errors?.[0]), 'SERVICE_UNAVAILABLE');
    assert.deepEqual(body.errors?.[0]?.path, ['order', 'customer']);
    const logged = log.lines.filter((line) => line['code'] === 'SERVICE_UNAVAILABLE');
    assert.equal(logged.length, 1, JSON.stringify(log.lines));
    assert.equal(logged[0]?.['serviceName'], 'auth');
    assert.equal(logged[0]?.['operationName'], 'FollowOrder');
    assert.equal(logged[0]?.['requestId'], 'req-unavailable-1');
    assert.equal(logged[0]?.['level'], 40, 'a warning: the gateway did its job');
  });

  it("logs an unexpected subgraph error at ERROR with the client's request id, and shows the client none of it", async () => {
    log.lines.length = 0;
    const response = await gateway.post(JSON.stringify({ query: `{ dish(id: "leak") { name } }` }), { 'x-request-id': 'req-unexpected-1' });
    const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    assert.equal(body.errors[0]?.extensions.code, 'INTERNAL_SERVER_ERROR');
    const logged = log.lines.filter((line) => line['msg'] === 'unexpected error');
    assert.equal(logged.length, 1, JSON.stringify(log.lines));
    assert.equal(logged[0]?.['requestId'], 'req-unexpected-1');
    assert.equal(logged[0]?.['level'], 50);
  });

  it('says on /ready which subgraph is missing, and stays healthy itself', async () => {
    const ready = await fetch(`${gateway.base}/ready`);
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { status: 'unavailable', checks: { auth: 'unavailable', orders: 'ok' } });
    assert.equal((await fetch(`${gateway.base}/health`)).status, 200);
  });
});

describe('gateway whose secret a subgraph does not share (a misconfiguration)', () => {
  let auth: StubSubgraph;
  let orders: StubSubgraph;
  let gateway: RunningGateway;

  before(async () => {
    auth = await startStubAuth('another-secret-0123456789-abcdefghijklmnopqrstuvwxyz');
    orders = await startStubOrders();
    gateway = await startGateway({ AUTH_SUBGRAPH_URL: auth.url, ORDERS_SUBGRAPH_URL: orders.url });
  });

  after(async () => {
    await gateway.app.close();
    await auth.stop();
    await orders.stop();
  });

  it("gives that subgraph's part SERVICE_UNAVAILABLE naming it, not the subgraph's FORBIDDEN", async () => {
    const { body } = await gateway.query(`{ menu { name } me { username } }`, { headers: { authorization: STUB_TOKEN } });
    assert.deepEqual(body.data, { menu: [{ name: STUB_DISH.name }], me: null });
    assert.equal(codeOf(body.errors?.[0]), 'SERVICE_UNAVAILABLE');
    assert.equal(body.errors?.[0]?.extensions?.['serviceName'], 'auth');
  });
});

describe('gateway with a subgraph slower than its timeout', () => {
  let orders: StubSubgraph;
  let gateway: RunningGateway;

  before(async () => {
    orders = await startStubOrders();
    gateway = await startGateway({
      AUTH_SUBGRAPH_URL: 'http://127.0.0.1:9/graphql',
      ORDERS_SUBGRAPH_URL: orders.url,
      GATEWAY_SUBGRAPH_TIMEOUT_MS: String(SLOW_ANSWER_MS / 3),
    });
  });

  after(async () => {
    await gateway.app.close();
    await orders.stop();
  });

  it('gives up on it with a clear error instead of holding the client', async () => {
    const { body } = await gateway.query(`{ dish(id: "slow") { name } }`);
    assert.equal(codeOf(body.errors?.[0]), 'SERVICE_UNAVAILABLE');
    assert.equal(body.errors?.[0]?.message, 'The orders service did not answer in time; try again shortly');
    const { body: fast } = await gateway.query(`{ menu { name } }`);
    assert.deepEqual(fast, { data: { menu: [{ name: STUB_DISH.name }] } });
  });
});

describe('gateway without a build of the web app', () => {
  let gateway: RunningGateway;

  before(async () => {
    const unreachable = 'http://127.0.0.1:9/graphql';
    gateway = await startGateway({ AUTH_SUBGRAPH_URL: unreachable, ORDERS_SUBGRAPH_URL: unreachable }, undefined, {
      webAppBuildDir: resolve(import.meta.dirname, 'no-web-build'),
    });
  });

  after(async () => {
    await gateway.app.close();
  });

  it('answers /app/ and its pages 503 with the command that builds it, never cached', async () => {
    const buildScript = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../../web/package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['build'];
    assert.ok(buildScript, 'the web workspace has a build script');
    for (const path of ['/app', '/app/', '/app/kitchen']) {
      const response = await fetch(`${gateway.base}${path}`);
      assert.equal(response.status, 503, path);
      assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.match(await response.text(), /The web app is not built: run <code>npm run build -w web<\/code>/, path);
    }
  });
});
