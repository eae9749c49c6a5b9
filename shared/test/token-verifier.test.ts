import assert from 'node:assert/strict';
import { createHmac, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import { TOKEN_AUDIENCE, TOKEN_ISSUER, TokenVerifier, type TokenVerifierOptions } from '@dishpatch/shared/tokens';
import {
  TestIssuer,
  createTestSigningKey,
  signTestAccessToken,
  testJwkOf,
  testLogger,
  type TestSigningKey,
} from '@dishpatch/shared/testing';

const base64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const partsOf = (token: string) => token.split('.') as [string, string, string];
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

function newKey(kid = `k-${randomUUID().slice(0, 8)}`): TestSigningKey {
  return createTestSigningKey(kid);
}

/** A JWKS server whose key set can change and which counts how often it is asked. */
class CountingJwks {
  keys: TestSigningKey[] = [];
  hits = 0;
  url = '';
  private server: Server | undefined;

  async start(): Promise<this> {
    this.server = createServer((_req, res) => {
      this.hits++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: this.keys.map(testJwkOf) }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('TokenVerifier', () => {
  const issuer = new TestIssuer();
  const revoked = new Set<string>();
  let verifier: TokenVerifier;
  const userId = randomUUID();
  const sessionId = randomUUID();
  let valid = '';

  const verifierFor = (options: Partial<TokenVerifierOptions> = {}) =>
    new TokenVerifier({
      jwksUrl: issuer.jwksUrl,
      isRevoked: async ({ sessionId: sid }) => revoked.has(sid),
      logger: testLogger,
      ...options,
    });

  before(async () => {
    await issuer.start();
    verifier = verifierFor();
    valid = issuer.token('CHEF', { userId, sessionId });
  });
  after(() => issuer.stop());

  /** Claims as the auth subgraph writes them, for hand-made variants. */
  const claims = (overrides: Record<string, unknown> = {}) => ({
    sub: userId,
    role: 'CUSTOMER',
    sid: sessionId,
    iss: TOKEN_ISSUER,
    aud: TOKEN_AUDIENCE,
    iat: Math.floor(Date.now() / 1000),
    exp: Math.floor(Date.now() / 1000) + 600,
    ...overrides,
  });

  async function assertRefused(what: string, authorization: string, problem: RegExp = /Invalid access token/) {
    const result = await verifier.authenticate(authorization);
    assert.equal(result.viewer, null, `${what} must be refused`);
    assert.match(String(result.problem), problem);
    console.log(`# forged token: ${what} -> refused (${result.problem})`);
  }

  it('accepts a valid token and returns its viewer', async () => {
    const result = await verifier.authenticate(`Bearer ${valid}`);
    assert.deepEqual(result, { viewer: { userId, role: 'CHEF', sessionId } });
  });

  it('treats a missing header as anonymous, without a problem', async () => {
    assert.deepEqual(await verifier.authenticate(undefined), { viewer: null, problem: null });
    assert.deepEqual(await verifier.authenticate(''), { viewer: null, problem: null });
  });

  it('refuses alg "none"', async () => {
    const [header, payload] = partsOf(valid);
    const unsignedHeader = base64url({ ...decode(header), alg: 'none' });
    await assertRefused('alg none, no signature', `Bearer ${unsignedHeader}.${payload}.`);
    await assertRefused('alg none, original signature kept', `Bearer ${unsignedHeader}.${payload}.${partsOf(valid)[2]}`);
    await assertRefused('alg none, no kid', `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${payload}.`);
  });

  it('refuses HS256 signed with the public key as the secret', async () => {
    const publicPem = createPublicKey(issuer.key.privateKey).export({ format: 'pem', type: 'spki' }).toString();
    const publicJwk = JSON.stringify(testJwkOf(issuer.key));
    for (const [what, secret] of [['PEM', publicPem], ['JWK', publicJwk]] as const) {
      const header = base64url({ alg: 'HS256', typ: 'JWT', kid: issuer.key.kid });
      const payload = base64url(claims({ role: 'MANAGER' }));
      const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
      await assertRefused(`HS256 with the public ${what} as secret`, `Bearer ${header}.${payload}.${signature}`);
    }
  });

  it('refuses a tampered payload carrying the original signature', async () => {
    const [header, payload, signature] = partsOf(valid);
    const promoted = base64url({ ...decode(payload), role: 'MANAGER' });
    await assertRefused('tampered payload (role raised to MANAGER)', `Bearer ${header}.${promoted}.${signature}`);
    const otherUser = base64url({ ...decode(payload), sub: randomUUID() });
    await assertRefused('tampered payload (another sub)', `Bearer ${header}.${otherUser}.${signature}`);
  });

  it('refuses an expired token', async () => {
    const expired = signTestAccessToken(issuer.key, { userId, role: 'CUSTOMER', sessionId }, -60);
    await assertRefused('expired 60 s ago', `Bearer ${expired}`, /expired/);
  });

  it('refuses a wrong issuer or a wrong audience, even when signed with the real key', async () => {
    const sign = (overrides: Record<string, unknown>) =>
      jwt.sign(claims(overrides), issuer.key.privateKey, { algorithm: 'ES256', keyid: issuer.key.kid });
    await assertRefused('wrong issuer', `Bearer ${sign({ iss: 'someone-else' })}`);
    await assertRefused('wrong audience', `Bearer ${sign({ aud: 'another-app' })}`);
    await assertRefused('no issuer', `Bearer ${sign({ iss: undefined })}`);
    await assertRefused('role outside the contract', `Bearer ${sign({ role: 'ADMIN' })}`);
    await assertRefused('sub that is not a user id', `Bearer ${sign({ sub: 'admin' })}`);
  });

  it('refuses a token without exp, and one issued in the future beyond the clock tolerance', async () => {
    const sign = (overrides: Record<string, unknown>, options: jwt.SignOptions = {}) => {
      // Claims set to undefined are left out of the token altogether.
      const payload = Object.fromEntries(Object.entries(claims(overrides)).filter(([, value]) => value !== undefined));
      return jwt.sign(payload, issuer.key.privateKey, { algorithm: 'ES256', keyid: issuer.key.kid, ...options });
    };
    const nowSeconds = Math.floor(Date.now() / 1000);
    await assertRefused('no exp (would never expire)', `Bearer ${sign({ exp: undefined })}`);
    await assertRefused('iat an hour in the future', `Bearer ${sign({ iat: nowSeconds + 3600 })}`);
    await assertRefused('iat 60 s in the future (tolerance is 5 s)', `Bearer ${sign({ iat: nowSeconds + 60 })}`);
    await assertRefused('no iat', `Bearer ${sign({ iat: undefined }, { noTimestamp: true })}`);
    assert.ok((await verifier.authenticate(`Bearer ${sign({ iat: nowSeconds + 2 })}`)).viewer, 'within the tolerance is fine');
  });

  it('refuses an unknown kid, and a foreign key that borrows a known kid', async () => {
    const stranger = newKey();
    await assertRefused('unknown kid', `Bearer ${signTestAccessToken(stranger, { userId, role: 'MANAGER', sessionId }, 600)}`);
    const impostor: TestSigningKey = { kid: issuer.key.kid, privateKey: stranger.privateKey };
    await assertRefused('foreign key with a known kid', `Bearer ${signTestAccessToken(impostor, { userId, role: 'MANAGER', sessionId }, 600)}`);
  });

  it('refuses another algorithm even with a known kid', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const rs256 = jwt.sign(claims(), rsa, { algorithm: 'RS256', keyid: issuer.key.kid });
    await assertRefused('RS256 with a known kid', `Bearer ${rs256}`);
  });

  it('refuses garbage', async () => {
    await assertRefused('garbage', 'Bearer garbage', /Malformed Authorization header/);
    await assertRefused('three garbage parts', 'Bearer a.b.c');
    await assertRefused('a non-Bearer scheme', `Basic ${base64url('user:pass')}`, /Malformed/);
    await assertRefused('a token with spaces', `Bearer ${valid} extra`, /Malformed/);
    await assertRefused('header that is not JSON', `Bearer ${base64url('{not json')}.${partsOf(valid)[1]}.${partsOf(valid)[2]}`);
  });

  it('refuses a token of a revoked session', async () => {
    const session = randomUUID();
    const token = issuer.token('CUSTOMER', { sessionId: session });
    assert.ok((await verifier.authenticate(`Bearer ${token}`)).viewer);
    revoked.add(session);
    await assertRefused('revoked session', `Bearer ${token}`, /signed out/);
  });

  it('fails closed when revocation cannot be checked', async () => {
    const failing = verifierFor({ isRevoked: () => Promise.reject(new Error('redis down')) });
    const result = await failing.authenticate(`Bearer ${valid}`);
    assert.equal(result.viewer, null);
    assert.match(String(result.problem), /Could not verify/);
    assert.equal(result.unavailableService, 'redis', 'names what is down, so the answer is SERVICE_UNAVAILABLE');
  });

  it('verifies with local keys and never fetches', async () => {
    const local = new TokenVerifier({
      localKeys: new Map([[issuer.key.kid, createPublicKey(issuer.key.privateKey)]]),
      isRevoked: async () => false,
      logger: testLogger,
    });
    assert.equal((await local.authenticate(`Bearer ${valid}`)).viewer?.userId, userId);
    const stranger = signTestAccessToken(newKey(), { userId, role: 'CUSTOMER', sessionId }, 600);
    assert.equal((await local.authenticate(`Bearer ${stranger}`)).viewer, null);
    assert.throws(() => new TokenVerifier({ isRevoked: async () => false, logger: testLogger }), /jwksUrl or localKeys/);
  });

  it('refetches the JWKS for a new kid (rotation), but at most once per interval for unknown ones', async () => {
    const jwks = await new CountingJwks().start();
    try {
      const first = newKey();
      jwks.keys = [first];
      const counting = verifierFor({ jwksUrl: jwks.url, minRefetchIntervalMs: 60_000 });
      const viewer = { userId, role: 'CUSTOMER' as const, sessionId };
      assert.ok((await counting.authenticate(`Bearer ${signTestAccessToken(first, viewer, 600)}`)).viewer);
      assert.equal(jwks.hits, 1);
      const forged = Array.from({ length: 20 }, () => signTestAccessToken(newKey(), viewer, 600));
      await Promise.all(forged.map((token) => counting.authenticate(`Bearer ${token}`)));
      assert.ok(jwks.hits <= 2, `unknown kids caused ${jwks.hits - 1} refetches`);

      const rotated = newKey();
      jwks.keys = [first, rotated];
      const eager = verifierFor({ jwksUrl: jwks.url, minRefetchIntervalMs: 0 });
      assert.ok((await eager.authenticate(`Bearer ${signTestAccessToken(first, viewer, 600)}`)).viewer);
      assert.ok((await eager.authenticate(`Bearer ${signTestAccessToken(rotated, viewer, 600)}`)).viewer, 'a rotated-in key is found');
    } finally {
      await jwks.stop();
    }
  });

  it('accepts a token it has verified before only while it is unexpired, unrevoked and its key still published', async (t) => {
    const jwks = await new CountingJwks().start();
    try {
      const key = newKey();
      jwks.keys = [key];
      const remembering = verifierFor({ jwksUrl: jwks.url, cacheTtlMs: 60_000, clockToleranceSeconds: 0 });
      const session = randomUUID();
      const shortLived = `Bearer ${signTestAccessToken(key, { userId, role: 'CHEF', sessionId: session }, 30)}`;
      const longLived = `Bearer ${signTestAccessToken(key, { userId, role: 'CHEF', sessionId: session }, 600)}`;
      for (const token of [shortLived, longLived, shortLived, longLived]) assert.ok((await remembering.authenticate(token)).viewer);

      t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
      t.mock.timers.tick(31_000);
      assert.match(String((await remembering.authenticate(shortLived)).problem), /expired/);
      assert.ok((await remembering.authenticate(longLived)).viewer);

      revoked.add(session);
      assert.match(String((await remembering.authenticate(longLived)).problem), /signed out/);
      revoked.delete(session);

      jwks.keys = [newKey()];
      t.mock.timers.tick(60_000);
      assert.match(String((await remembering.authenticate(longLived)).problem), /Invalid access token/, 'the key was withdrawn');
    } finally {
      await jwks.stop();
    }
  });

  it('refuses, without crashing, when the JWKS cannot be reached', async () => {
    const unreachable = verifierFor({ jwksUrl: 'http://127.0.0.1:1/.well-known/jwks.json' });
    const result = await unreachable.authenticate(`Bearer ${valid}`);
    assert.equal(result.viewer, null);
    assert.match(String(result.problem), /Invalid access token/);
  });
});
