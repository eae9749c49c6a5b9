import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { createTestSigningKey, signTestAccessToken, testJwkOf } from '@dishpatch/shared/testing';
import { publicJwkOf, signAccessToken } from '../src/tokens/access-token-signer.js';

const partsOf = (token: string) =>
  token
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>);

// Services that only verify test against shared/testing's stand-in issuer; it is only a fair
// stand-in while it writes exactly what this signer writes.
describe('access-token signer and the shared test issuer', () => {
  it('write the same header, claims and lifetime', () => {
    const key = createTestSigningKey();
    const viewer = { userId: randomUUID(), role: 'CHEF' as const, sessionId: randomUUID() };
    const [header, claims] = partsOf(signAccessToken(key, viewer, 600).token);
    const [testHeader, testClaims] = partsOf(signTestAccessToken(key, viewer, 600));
    assert.deepEqual(testHeader, header);
    const { iat, exp, ...rest } = claims!;
    const { iat: testIat, exp: testExp, ...testRest } = testClaims!;
    assert.deepEqual(testRest, rest);
    // iat has ms precision (role-change cut-offs compare against it); exp is whole seconds.
    assert.equal(Number(testExp) - Math.floor(Number(testIat)), Number(exp) - Math.floor(Number(iat)));
    assert.ok(Math.abs(Number(testIat) - Number(iat)) < 5, 'both write iat from the same clock');
  });

  it('publish the same JWK', () => {
    const key = createTestSigningKey();
    assert.deepEqual(testJwkOf(key), { ...publicJwkOf(key) });
  });
});
