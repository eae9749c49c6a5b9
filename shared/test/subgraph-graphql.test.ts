/**
 * A subgraph's GraphQL over HTTP (subgraph-graphql.ts), as the gateway and a misbehaving caller
 * see it: the answers, status codes and error codes Apollo Server gave before it, with every
 * error through the allow-list formatter.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { pino } from 'pino';
import { createErrorFormatter } from '@dishpatch/shared/errors';
import { HttpService } from '@dishpatch/shared/http';
import { ServiceMetrics } from '@dishpatch/shared/observability';
import { requestGuards } from '@dishpatch/shared/request-guards';
import { subgraphGraphQL } from '@dishpatch/shared/subgraph';

interface Answer {
  status: number;
  allow: string | null;
  body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions: { code: string } }> };
}

describe('a subgraph answering GraphQL over HTTP', () => {
  const services: Array<HttpService<{ caller: string }>> = [];
  const logLines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });
  let contextsBuilt = 0;
  let failContext = false;

  async function start(introspection: boolean): Promise<string> {
    const schema = buildSubgraphSchema({
      typeDefs: parse(`type Query { hello(name: String!): String! caller: String! boom: String } type Mutation { shout(word: String!): String! }
        type User @key(fields: "id") { id: ID! name: String! }`),
      resolvers: {
        User: { __resolveReference: (reference: { id: string }) => ({ id: reference.id, name: `user ${reference.id}` }) },
        Query: {
          hello: (_: unknown, args: { name: string }) => `hello ${args.name}`,
          caller: (_: unknown, __: unknown, context: unknown) => (context as { caller: string }).caller,
          boom: () => {
            throw new Error('relation "secret_table" does not exist');
          },
        },
        Mutation: { shout: (_: unknown, args: { word: string }) => args.word.toUpperCase() },
      },
    });
    const guards = requestGuards({ maxDepth: 5, maxAliases: 3, maxDirectives: 5, maxTokens: 200, maxCost: 100, allowBatching: false });
    const service = new HttpService<{ caller: string }>({
      graphql: subgraphGraphQL({
        schema,
        formatError: createErrorFormatter(),
        validationRules: guards.validationRules,
        parseOptions: guards.parseOptions,
        introspection,
      }),
      context: async () => {
        contextsBuilt += 1;
        if (failContext) throw new Error('connect ECONNREFUSED 10.0.0.7:6379 (secret detail)');
        return { caller: 'the gateway' };
      },
      logger,
      metrics: new ServiceMetrics('subgraph-graphql'),
    });
    services.push(service);
    return `http://127.0.0.1:${await service.listen(0, '127.0.0.1')}/graphql`;
  }

  let url = '';
  let productionUrl = '';
  before(async () => {
    url = await start(true);
    productionUrl = await start(false);
  });
  after(async () => {
    await Promise.all(services.map((service) => service.close()));
  });

  async function post(body: unknown, target = url): Promise<Answer> {
    const response = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, allow: response.headers.get('allow'), body: (await response.json()) as Answer['body'] };
  }

  function onlyError(answer: Answer): { message: string; code: string } {
    assert.equal(answer.body.data, undefined, 'no data when the request fails as a whole');
    assert.equal(answer.body.errors?.length, 1, JSON.stringify(answer.body));
    const [error] = answer.body.errors!;
    return { message: error!.message, code: error!.extensions.code };
  }

  it('answers a query with variables, the operation picked by name, with the context it built', async () => {
    const answer = await post({
      query: 'query Greet($name: String!) { hello(name: $name) caller } mutation Shout { shout(word: "hi") }',
      variables: { name: 'Ada' },
      operationName: 'Greet',
    });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { data: { hello: 'hello Ada', caller: 'the gateway' } });
    const shout = await post({ query: 'query Greet { caller } mutation Shout { shout(word: "hi") }', operationName: 'Shout' });
    assert.deepEqual(shout.body, { data: { shout: 'HI' } });
  });

  it('resolves entity references sent as a variable, or as a literal holding variables (run by graphql-js)', async () => {
    const select = '{ ... on User { id name } }';
    const asVariable = await post({ query: `query ($r: [_Any!]!) { _entities(representations: $r) ${select} }`, variables: { r: [{ __typename: 'User', id: '7' }] } });
    assert.deepEqual(asVariable.body, { data: { _entities: [{ id: '7', name: 'user 7' }] } });
    const inLiteral = await post({ query: `query ($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) ${select} }`, variables: { id: '8' } });
    assert.deepEqual(inLiteral.body, { data: { _entities: [{ id: '8', name: 'user 8' }] } });
  });

  it("hides an unexpected error from the client and logs it in full with the request's id", async () => {
    logLines.length = 0;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-boom-1' },
      body: JSON.stringify({ query: '{ boom caller }' }),
    });
    const text = await response.text();
    assert.equal(response.status, 200);
    assert.doesNotMatch(text, /secret_table/);
    assert.deepEqual(JSON.parse(text), {
      errors: [{ message: 'Internal server error', path: ['boom'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
      data: { boom: null, caller: 'the gateway' },
    });
    const logged = logLines.filter((line) => line['msg'] === 'unexpected error');
    assert.equal(logged.length, 1);
    assert.equal(logged[0]!['requestId'], 'req-boom-1');
    assert.match(JSON.stringify(logged[0]!['err']), /secret_table/);
  });

  it('refuses an unparsable query with a 400 GRAPHQL_PARSE_FAILED saying where, and builds no context for it', async () => {
    const before = contextsBuilt;
    const { message, code } = onlyError(await post({ query: '{ hello(name: "Ada") ' }));
    assert.equal(code, 'GRAPHQL_PARSE_FAILED');
    assert.match(message, /Syntax Error: Expected Name, found <EOF>/);
    assert.equal(contextsBuilt, before, 'a refused request costs no token verification');
  });

  it('refuses a query past the token limit before parsing it through', async () => {
    const { message, code } = onlyError(await post({ query: `{ ${'caller '.repeat(300)}}` }));
    assert.equal(code, 'GRAPHQL_PARSE_FAILED');
    assert.match(message, /more that 200 tokens/);
  });

  it('refuses an unknown field with a 400 GRAPHQL_VALIDATION_FAILED naming it, every time it is sent', async () => {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const answer = await post({ query: '{ helo(name: "Ada") }' });
      assert.equal(answer.status, 400);
      const { message, code } = onlyError(answer);
      assert.equal(code, 'GRAPHQL_VALIDATION_FAILED');
      assert.match(message, /Cannot query field "helo" on type "Query"/);
    }
  });

  it("refuses what the request guards refuse, with the guards' message and GRAPHQL_VALIDATION_FAILED", async () => {
    const answer = await post({ query: '{ a: caller b: caller c: caller d: caller e: caller }' });
    assert.equal(answer.status, 400);
    const { message, code } = onlyError(answer);
    assert.equal(code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(message, /alias/i);
  });

  it('refuses variables that do not fit their types with a 400 BAD_USER_INPUT naming the variable', async () => {
    const query = 'query ($name: String!) { hello(name: $name) }';
    for (const variables of [{}, { name: 42 }, { name: null }]) {
      const answer = await post({ query, variables });
      assert.equal(answer.status, 400, JSON.stringify(variables));
      const { message, code } = onlyError(answer);
      assert.equal(code, 'BAD_USER_INPUT');
      assert.match(message, /\$name/);
    }
  });

  it('refuses an unknown or missing operation name with a 400 OPERATION_RESOLUTION_FAILURE', async () => {
    const twoOperations = 'query A { caller } query B { caller }';
    const unknown = onlyError(await post({ query: twoOperations, operationName: 'C' }));
    assert.equal(unknown.code, 'OPERATION_RESOLUTION_FAILURE');
    assert.match(unknown.message, /Unknown operation named "C"/);
    const missing = onlyError(await post({ query: twoOperations }));
    assert.equal(missing.code, 'OPERATION_RESOLUTION_FAILURE');
    assert.match(missing.message, /Must provide operation name/);
  });

  it('refuses malformed requests with a 400 BAD_REQUEST saying what is wrong', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /non-empty `query`/],
      [{ query: '   ' }, /non-empty `query`/],
      [{ query: 42 }, /non-empty `query`/],
      [{ query: '{ caller }', variables: ['Ada'] }, /`variables` must be a JSON object/],
      [{ query: '{ caller }', operationName: 7 }, /`operationName` must be a string/],
      [[{ query: '{ caller }' }, { query: '{ caller }' }], /batching disabled/],
      ['{ caller }', /JSON object/],
    ];
    for (const [body, expected] of cases) {
      const answer = await post(body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      const { message, code } = onlyError(answer);
      assert.equal(code, 'BAD_REQUEST', JSON.stringify(body));
      assert.match(message, expected);
    }
  });

  it('refuses persisted queries with PERSISTED_QUERY_NOT_SUPPORTED', async () => {
    const answer = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } });
    assert.equal(answer.status, 400);
    assert.equal(onlyError(answer).code, 'PERSISTED_QUERY_NOT_SUPPORTED');
  });

  it('answers GET with a 405 that allows POST', async () => {
    const response = await fetch(`${url}?query=${encodeURIComponent('{ caller }')}`);
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'POST');
    const body = (await response.json()) as Answer['body'];
    assert.equal(body.errors?.[0]?.extensions.code, 'BAD_REQUEST');
  });

  it('hides a context that fails behind a 500 INTERNAL_SERVER_ERROR, with nothing of the cause', async () => {
    failContext = true;
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ caller }' }) });
      assert.equal(response.status, 500);
      const text = await response.text();
      assert.doesNotMatch(text, /ECONNREFUSED|secret detail|10\.0\.0\.7/);
      assert.equal((JSON.parse(text) as Answer['body']).errors?.[0]?.extensions.code, 'INTERNAL_SERVER_ERROR');
    } finally {
      failContext = false;
    }
  });

  it('in production refuses introspection but still gives composition its SDL', async () => {
    const introspection = await post({ query: '{ __schema { queryType { name } } }' }, productionUrl);
    assert.equal(introspection.status, 400);
    assert.equal(introspection.body.data, undefined);
    assert.ok(introspection.body.errors?.every((error) => error.extensions.code === 'GRAPHQL_VALIDATION_FAILED'), JSON.stringify(introspection.body));
    assert.match(introspection.body.errors?.[0]?.message ?? '', /introspection has been disabled.*"__schema"/);
    const sdl = await post({ query: '{ _service { sdl } }' }, productionUrl);
    assert.equal(sdl.status, 200);
    assert.match(String((sdl.body.data?.['_service'] as { sdl: string }).sdl), /hello\(name: String!\): String!/);
    const open = await post({ query: '{ __schema { queryType { name } } }' });
    assert.deepEqual(open.body, { data: { __schema: { queryType: { name: 'Query' } } } });
  });
});
