import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { BadUserInputError, createErrorFormatter } from '@dishpatch/shared/errors';
import { HttpService, healthRoutes } from '@dishpatch/shared/http';
import { ServiceMetrics } from '@dishpatch/shared/observability';
import { subgraphGraphQL } from '@dishpatch/shared/subgraph';
import { testLogger } from '@dishpatch/shared/testing';

describe('HttpService', () => {
  let service: HttpService<object>;
  let base = '';

  before(async () => {
    const schema = buildSubgraphSchema({
      typeDefs: parse(`type Query { hello(name: String!): String! boom: String! }`),
      resolvers: {
        Query: {
          hello: (_: unknown, args: { name: string }) => {
            if (args.name === '') throw new BadUserInputError('name', 'must not be empty');
            return `hello ${args.name}`;
          },
          boom: () => {
            throw new Error('relation "secret_table" does not exist');
          },
        },
      },
    });
    const metrics = new ServiceMetrics('test');
    service = new HttpService({
      graphql: subgraphGraphQL({ schema, formatError: createErrorFormatter(), validationRules: [], parseOptions: {}, introspection: true }),
      context: async () => ({}),
      logger: testLogger,
      metrics,
      maxBodyBytes: 2048,
      routes: healthRoutes({ checks: { always: async () => undefined, never: async () => Promise.reject(new Error('down')) }, metrics, logger: testLogger }),
    });
    base = `http://127.0.0.1:${await service.listen(0, '127.0.0.1')}`;
  });

  after(async () => {
    await service.close();
  });

  const post = (body: string) =>
    fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('answers a query and echoes a request id', async () => {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'abc-123' },
      body: JSON.stringify({ query: '{ hello(name: "Ada") }' }),
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-request-id'), 'abc-123');
    assert.deepEqual(await response.json(), { data: { hello: 'hello Ada' } });
  });

  it('answers malformed JSON with a 400 naming the problem', async () => {
    const response = await post('{"query": ');
    assert.equal(response.status, 400);
    const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    assert.equal(body.errors[0]?.extensions.code, 'BAD_REQUEST');
    assert.match(body.errors[0]!.message, /not valid JSON/);
  });

  it('refuses a body over the limit with a 413', async () => {
    const response = await post(JSON.stringify({ query: `{ hello(name: "${'x'.repeat(4096)}") }` }));
    assert.equal(response.status, 413);
  });

  it('keeps expected errors and hides unexpected ones', async () => {
    const bad = (await (await post(JSON.stringify({ query: '{ hello(name: "") }' }))).json()) as {
      errors: Array<{ message: string; extensions: Record<string, unknown> }>;
    };
    assert.equal(bad.errors[0]?.extensions['code'], 'BAD_USER_INPUT');
    assert.equal(bad.errors[0]?.message, 'name: must not be empty');
    const text = await (await post(JSON.stringify({ query: '{ boom }' }))).text();
    assert.doesNotMatch(text, /secret_table|stack|at /);
    assert.match(text, /INTERNAL_SERVER_ERROR/);
  });

  it('reports readiness per dependency', async () => {
    const response = await fetch(`${base}/ready`);
    assert.equal(response.status, 503);
    assert.deepEqual(await response.json(), { status: 'unavailable', checks: { always: 'ok', never: 'unavailable' } });
    assert.equal((await fetch(`${base}/health`)).status, 200);
    assert.match(await (await fetch(`${base}/metrics`)).text(), /http_request_duration_seconds/);
  });
});

describe('HttpService without GraphQL', () => {
  it('serves its routes and nothing at /graphql', async () => {
    const metrics = new ServiceMetrics('routes-only');
    const service = new HttpService({
      logger: testLogger,
      metrics,
      routes: healthRoutes({ checks: { always: async () => undefined }, metrics, logger: testLogger }),
    });
    const base = `http://127.0.0.1:${await service.listen(0, '127.0.0.1')}`;
    try {
      assert.equal((await fetch(`${base}/ready`)).status, 200);
      const graphql = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      assert.equal(graphql.status, 404);
    } finally {
      await service.close();
    }
  });
});

describe('HttpService close', () => {
  const openService = async (routes: ConstructorParameters<typeof HttpService>[0]['routes'], drainMs?: number) => {
    const service = new HttpService({ logger: testLogger, metrics: new ServiceMetrics('close'), routes, ...(drainMs === undefined ? {} : { drainMs }) });
    const port = await service.listen(0, '127.0.0.1');
    return { service, port };
  };
  const connect = async (port: number) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    // A connection the server cuts is reset: that is the outcome under test, not a failure.
    socket.on('error', () => {});
    await once(socket, 'connect');
    const closed = once(socket, 'close');
    return { socket, closed };
  };

  it('ends a connection that has not sent a request yet (a client\'s spare one) instead of waiting for it', async () => {
    const { service, port } = await openService({ 'GET /ping': () => ({ status: 200, body: 'pong' }) });
    const spare = await connect(port);
    const used = await connect(port);
    used.socket.write('GET /ping HTTP/1.1\r\nhost: x\r\n\r\n');
    await once(used.socket, 'data');
    await service.close();
    await spare.closed;
    await used.closed;
    assert.equal(service.server.listening, false);
  });

  it('cuts a request still in flight once drainMs has passed', async () => {
    let reached: () => void = () => {};
    const handling = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const { service, port } = await openService({
      'GET /never': () => {
        reached();
        return new Promise<never>(() => {});
      },
    }, 50);
    const waiting = await connect(port);
    waiting.socket.write('GET /never HTTP/1.1\r\nhost: x\r\n\r\n');
    await handling;
    await service.close();
    await waiting.closed;
    assert.equal(service.server.listening, false);
  });
});

describe('HttpService prefix routes', () => {
  it('answers every path under a `/path/*` route, the longest prefix first, an exact route before both, and labels metrics by the route', async () => {
    const metrics = new ServiceMetrics('prefix-routes');
    const answer = (body: string) => () => ({ status: 200, body, contentType: 'text/plain' });
    const service = new HttpService({
      logger: testLogger,
      metrics,
      routes: { 'GET /app/*': answer('page'), 'GET /app/assets/*': answer('missing asset'), 'GET /app/assets/a.js': answer('asset') },
    });
    const base = `http://127.0.0.1:${await service.listen(0, '127.0.0.1')}`;
    const text = async (path: string) => (await fetch(`${base}${path}`)).text();
    try {
      assert.equal(await text('/app/'), 'page');
      assert.equal(await text('/app/kitchen/1'), 'page');
      assert.equal(await text('/app/assets/a.js'), 'asset');
      assert.equal(await text('/app/assets/b.js'), 'missing asset');
      assert.equal((await fetch(`${base}/application`)).status, 404);
      assert.equal((await fetch(`${base}/app/`, { method: 'POST' })).status, 404);
      const exposition = await metrics.registry.metrics();
      assert.match(exposition, /route="\/app\/\*"/);
      assert.doesNotMatch(exposition, /route="\/app\/kitchen\/1"/);
    } finally {
      await service.close();
    }
  });
});
