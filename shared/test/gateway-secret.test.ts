import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, requireSharedSecret, sharedSecretConfigShape } from '@dishpatch/shared/config';
import { GATEWAY_SECRET_HEADER, GatewaySecret, generateSharedSecret } from '@dishpatch/shared/http';

const requestWith = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('SUBGRAPH_SHARED_SECRET', () => {
  it('accepts 32 random bytes as base64url or base64', () => {
    for (const secret of [generateSharedSecret(), Buffer.from(Array.from({ length: 32 }, (_, index) => index * 7 + 1)).toString('base64')]) {
      assert.equal(loadConfig(sharedSecretConfigShape, { SUBGRAPH_SHARED_SECRET: secret }).SUBGRAPH_SHARED_SECRET, secret);
    }
  });

  it('refuses a short, placeholder or non-base64 value, naming the variable', () => {
    for (const weak of ['short', 'a'.repeat(64), 'changeme'.repeat(8), `${generateSharedSecret()} with spaces`]) {
      assert.throws(() => loadConfig(sharedSecretConfigShape, { SUBGRAPH_SHARED_SECRET: weak }), (error: unknown) => error instanceof ConfigError && /SUBGRAPH_SHARED_SECRET/.test(error.message));
    }
  });

  it('is required wherever GraphQL is served or called, with a message saying how to make one', () => {
    assert.throws(() => requireSharedSecret(loadConfig(sharedSecretConfigShape, {})), (error: unknown) => error instanceof ConfigError && /SUBGRAPH_SHARED_SECRET: required.*openssl rand/.test(error.message));
  });

  it('is recognised on a request only with the exact value', () => {
    const secret = generateSharedSecret();
    const gateway = new GatewaySecret(secret);
    assert.equal(gateway.isCarriedBy(requestWith({ [GATEWAY_SECRET_HEADER]: secret })), true);
    for (const headers of [{}, { [GATEWAY_SECRET_HEADER]: '' }, { [GATEWAY_SECRET_HEADER]: secret.slice(1) }, { [GATEWAY_SECRET_HEADER]: `${secret}, ${secret}` }] as Array<Record<string, string>>) {
      assert.equal(gateway.isCarriedBy(requestWith(headers)), false);
    }
  });
});
