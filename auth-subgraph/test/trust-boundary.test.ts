/**
 * The auth subgraph answers GraphQL only to the gateway: a request without the shared secret
 * gets no data (its `_entities` would otherwise hand out any user), cannot pick the address
 * login failures count by, and cannot run past the subgraph's own request limits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AuthHarness, LOGIN } from './harness.js';

const ENTITIES = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id username role createdAt } } }`;

describe('the trust boundary (auth)', () => {
  const auth = new AuthHarness();
  before(() => auth.start({ label: 'trust_boundary', env: { LOGIN_MAX_FAILURES_PER_ADDRESS: '3', LOGIN_MAX_FAILURES_PER_EMAIL: '100' } }));
  after(() => auth.stop());

  const postWithout = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${auth.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it("refuses anonymous _entities without the gateway's secret: 403, a clear error, no data", async () => {
    const registered = await auth.register('grace');
    const representations = [{ __typename: 'User', id: registered.user.id }];
    for (const headers of [{}, { 'x-dishpatch-gateway-secret': 'not-the-secret' }] as Array<Record<string, string>>) {
      const response = await postWithout({ query: ENTITIES, variables: { representations } }, headers);
      assert.equal(response.status, 403);
      const text = await response.text();
      assert.ok(!text.includes('grace'), text);
      const body = JSON.parse(text) as { data?: unknown; errors: Array<{ message: string; extensions: { code: string } }> };
      assert.equal(body.data, undefined);
      assert.equal(body.errors[0]!.extensions.code, 'FORBIDDEN');
      assert.match(body.errors[0]!.message, /gateway/);
    }
    // The gateway (the harness sends the secret) still resolves the reference.
    const result = await auth.ok<{ _entities: Array<{ username: string }> }>(ENTITIES, { representations });
    assert.equal(result._entities[0]!.username, 'grace');
  });

  it('serves /health, /ready, /metrics and the JWKS without the secret', async () => {
    for (const path of ['/health', '/ready', '/metrics', '/.well-known/jwks.json']) {
      const response = await fetch(`${auth.url}${path}`);
      assert.equal(response.status, 200, path);
      await response.body?.cancel();
    }
  });

  it('cannot choose the address login failures count by without the secret', async () => {
    await auth.register('hopper', { password: 'the right password' });
    // From one real address, each attempt claiming another: without the secret none is even tried.
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await postWithout(
        { query: LOGIN, variables: { input: { email: 'hopper@example.com', password: 'wrong password' } } },
        { 'x-forwarded-for': `198.51.100.${attempt}` },
      );
      assert.equal(response.status, 403);
      await response.body?.cancel();
    }
  });

  it('keeps its own alias limit: 500 aliases with the right secret are refused, with a small answer', async () => {
    const query = `{ ${Array.from({ length: 500 }, (_, index) => `a${index}: me { id username }`).join(' ')} }`;
    const response = await fetch(`${auth.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-dishpatch-gateway-secret': auth.config.SUBGRAPH_SHARED_SECRET! },
      body: JSON.stringify({ query }),
    });
    const text = await response.text();
    assert.ok(text.length < 1000, `answer of ${text.length} bytes`);
    const body = JSON.parse(text) as { data?: unknown; errors: Array<{ message: string; extensions: { code: string } }> };
    assert.equal(body.data, undefined);
    assert.equal(body.errors[0]!.extensions.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(body.errors[0]!.message, /alias/i);
  });
});
