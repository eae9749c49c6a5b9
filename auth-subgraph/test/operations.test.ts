import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { GATEWAY_SECRET_HEADER } from '@dishpatch/shared/http';
import { pino } from 'pino';
import { AuthHarness, LOGIN, LOGOUT, REFRESH, errorOf, type AuthPayload } from './harness.js';

describe('health, readiness and metrics', () => {
  const auth = new AuthHarness();
  before(() => auth.start({ label: 'ops' }));
  after(() => auth.stop());

  it('GET /health says the process is up', async () => {
    const response = await fetch(`${auth.url}/health`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok' });
  });

  it('GET /ready checks the database and Redis', async () => {
    const response = await fetch(`${auth.url}/ready`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ready', checks: { database: 'ok', redis: 'ok' } });
  });

  it('GET /ready answers 503 naming Redis when Redis is unreachable', async () => {
    const cut = await new AuthHarness().start({ label: 'ops_no_redis', env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    try {
      const response = await fetch(`${cut.url}/ready`);
      assert.equal(response.status, 503);
      assert.deepEqual(await response.json(), { status: 'unavailable', checks: { database: 'ok', redis: 'unavailable' } });
    } finally {
      await cut.stop();
    }
  });

  it('GET /metrics is Prometheus text with request timings and login outcomes', async () => {
    await auth.register('metered');
    await auth.graphql(LOGIN, { input: { email: 'metered@example.com', password: 'wrong password' } });
    const text = await (await fetch(`${auth.url}/metrics`)).text();
    assert.match(text, /http_request_duration_seconds_bucket\{.*route="\/graphql"/);
    assert.match(text, /auth_logins_total\{outcome="failure",service="auth-subgraph"\} 1/);
  });

  it('never shows a client SQL or a stack trace', async () => {
    const response = await fetch(`${auth.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [GATEWAY_SECRET_HEADER]: auth.config.SUBGRAPH_SHARED_SECRET! },
      body: JSON.stringify({ query: '{ users(first: 5) { totalCount' }),
    });
    const text = await response.text();
    assert.match(text, /GRAPHQL_PARSE_FAILED/);
    assert.doesNotMatch(text, /stacktrace|\bat \w+ \(/i);
  });
});

describe('logs', () => {
  const lines: string[] = [];
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const auth = new AuthHarness();
  // No redaction here on purpose: the services must never hand a secret to the logger at all.
  // No grace window, so that the second refresh with one token is a reuse (and is logged as one).
  before(() => auth.start({ label: 'logs', logger: pino({ level: 'trace' }, capture), env: { REFRESH_TOKEN_REUSE_GRACE_SECONDS: '0' } }));
  after(() => auth.stop());

  it("carry the request's id on every line the request writes", async () => {
    await auth.register('traced', { password: 'Traced-Passw0rd-1' });
    const response = await fetch(`${auth.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [GATEWAY_SECRET_HEADER]: auth.config.SUBGRAPH_SHARED_SECRET!, 'x-request-id': 'req-login-1' },
      body: JSON.stringify({ query: LOGIN, variables: { input: { email: 'traced@example.com', password: 'Traced-Passw0rd-1' } } }),
    });
    assert.equal(response.status, 200);
    await response.body?.cancel();
    const loggedIn = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['msg'] === 'user logged in');
    assert.equal(loggedIn.at(-1)?.['requestId'], 'req-login-1');
  });

  it('never contain a password or a token, through register, login, refresh, reuse and logout', async () => {
    const password = 'Sup3r-Secret-Passw0rd';
    const registered = await auth.register('logged', { password });
    const failed = errorOf(await auth.graphql(LOGIN, { input: { email: 'logged@example.com', password: `${password}-wrong` } }));
    assert.equal(failed.extensions.code, 'UNAUTHENTICATED');
    const login = (await auth.ok<{ login: AuthPayload }>(LOGIN, { input: { email: 'logged@example.com', password } })).login;
    const refreshed = (await auth.ok<{ refreshSession: AuthPayload }>(REFRESH, { refreshToken: login.refreshToken })).refreshSession;
    errorOf(await auth.graphql(REFRESH, { refreshToken: login.refreshToken }));
    await auth.ok(LOGOUT, {}, { token: registered.accessToken });

    const text = lines.join('');
    assert.match(text, /user registered/, 'the capture works');
    assert.match(text, /refresh token reused/);
    const secrets = [
      password,
      registered.accessToken,
      registered.refreshToken,
      login.accessToken,
      login.refreshToken,
      refreshed.accessToken,
      refreshed.refreshToken,
    ];
    for (const secret of secrets) {
      assert.ok(!text.includes(secret), `a secret starting ${secret.slice(0, 6)} reached the log`);
      const signature = secret.split('.')[2];
      if (signature) assert.ok(!text.includes(signature), 'no token signature either');
    }
  });
});
