import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '@dishpatch/shared/config';
import { loadAuthConfig } from '../src/config.js';
import { GENERATED_KEY_FILE_NAME, jwkThumbprint, loadSigningKeys } from '../src/tokens/signing-keys.js';
import { AuthHarness, ME, newPrivateKeyPem } from './harness.js';

const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { alg: string; kid: string };

describe('signing keys and the JWKS', () => {
  let folder = '';
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'dishpatch-auth-keys-'));
  });
  after(() => rm(folder, { recursive: true, force: true }));

  it('serves the signing key at /.well-known/jwks.json with its RFC 7638 thumbprint as kid', async () => {
    const auth = await new AuthHarness().start({ label: 'jwks' });
    try {
      const response = await fetch(`${auth.url}/.well-known/jwks.json`);
      assert.equal(response.status, 200);
      const jwks = (await response.json()) as { keys: Array<Record<string, string>> };
      assert.equal(jwks.keys.length, 1);
      const [key] = jwks.keys;
      assert.deepEqual([key!['kty'], key!['crv'], key!['alg'], key!['use']], ['EC', 'P-256', 'ES256', 'sig']);
      assert.equal(key!['d'], undefined, 'no private part');
      assert.equal(key!['kid'], jwkThumbprint(createPublicKey(createPrivateKey(auth.config.AUTH_PRIVATE_KEY!))));
      const token = (await auth.register('kid-check')).accessToken;
      assert.deepEqual(headerOf(token), { alg: 'ES256', typ: 'JWT', kid: key!['kid'] });
    } finally {
      await auth.stop();
    }
  });

  it('rotates without signing anyone out: old tokens verify with the kept public key, new ones use the new key', async () => {
    const oldKey = newPrivateKeyPem();
    const before = await new AuthHarness().start({ label: 'rotation', env: { AUTH_PRIVATE_KEY: oldKey } });
    const keptKeys = join(folder, 'previous-keys.pem');
    await writeFile(keptKeys, createPublicKey(oldKey).export({ format: 'pem', type: 'spki' }).toString());
    const rotated = await new AuthHarness().start({
      shareStorageWith: before,
      env: { AUTH_PRIVATE_KEY: newPrivateKeyPem(), AUTH_ADDITIONAL_PUBLIC_KEYS_FILE: keptKeys },
    });
    try {
      const oldToken = (await before.register('long-lived')).accessToken;
      const oldKid = headerOf(oldToken).kid;
      const me = await rotated.ok<{ me: { username: string } | null }>(ME, {}, { token: oldToken });
      assert.equal(me.me?.username, 'long-lived', 'a token signed with the old key still verifies');

      const newToken = (await rotated.register('newcomer')).accessToken;
      const newKid = headerOf(newToken).kid;
      assert.notEqual(newKid, oldKid, 'new tokens carry the new key');
      const jwks = (await (await fetch(`${rotated.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
      assert.deepEqual(jwks.keys.map((key) => key.kid).sort(), [oldKid, newKid].sort());

      const withoutOldKey = await new AuthHarness().start({ shareStorageWith: before });
      try {
        const refused = await withoutOldKey.graphql(ME, {}, { token: oldToken });
        assert.equal(refused.errors?.[0]?.extensions.code, 'UNAUTHENTICATED', 'a key dropped from the set verifies nothing');
      } finally {
        await withoutOldKey.stop();
      }
    } finally {
      await rotated.stop();
      await before.stop();
    }
  });

  it('generates a key once when none is configured, keeps it with mode 0600 and reuses it', async () => {
    const dataDir = join(folder, 'nested', 'auth');
    const first = await loadSigningKeys({ dataDir });
    const path = join(dataDir, GENERATED_KEY_FILE_NAME);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const second = await loadSigningKeys({ dataDir });
    assert.equal(second.signingKey.kid, first.signingKey.kid);
    const racing = await Promise.all(Array.from({ length: 5 }, () => loadSigningKeys({ dataDir: join(folder, 'racing') })));
    assert.equal(new Set(racing.map((keys) => keys.signingKey.kid)).size, 1, 'processes starting together agree on one key');
    assert.match(await readFile(path, 'utf8'), /BEGIN PRIVATE KEY/);
  });

  it('reads the key from AUTH_PRIVATE_KEY_FILE, and refuses keys that cannot sign ES256', async () => {
    const pem = newPrivateKeyPem();
    const file = join(folder, 'key.pem');
    await writeFile(file, pem);
    const fromFile = await loadSigningKeys({ privateKeyFile: file, dataDir: folder });
    assert.equal(fromFile.signingKey.kid, jwkThumbprint(createPublicKey(pem)));
    const oneLine = await loadSigningKeys({ privateKeyPem: pem.replace(/\n/g, '\\n'), dataDir: folder });
    assert.equal(oneLine.signingKey.kid, fromFile.signingKey.kid, 'escaped newlines are accepted');

    await assert.rejects(loadSigningKeys({ privateKeyPem: 'not a key', dataDir: folder }), (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /AUTH_PRIVATE_KEY/);
      return true;
    });
    const { generateKeyPairSync } = await import('node:crypto');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    await assert.rejects(loadSigningKeys({ privateKeyPem: rsa, dataDir: folder }), /AUTH_PRIVATE_KEY: must be an EC P-256 key/);
    await assert.rejects(loadSigningKeys({ privateKeyFile: join(folder, 'missing.pem'), dataDir: folder }), /AUTH_PRIVATE_KEY_FILE/);
    await assert.rejects(
      loadSigningKeys({ privateKeyPem: pem, additionalPublicKeysFile: file.replace('key.pem', 'none.pem'), dataDir: folder }),
      /AUTH_ADDITIONAL_PUBLIC_KEYS_FILE/,
    );
  });
});

describe('auth configuration', () => {
  const base = { AUTH_PRIVATE_KEY: 'unused' };

  it('has the documented defaults', () => {
    const config = loadAuthConfig({});
    assert.equal(config.AUTH_PORT, 4001);
    assert.equal(config.AUTH_DATABASE_URL, 'postgres://postgres:postgres@127.0.0.1:54329/dishpatch_auth');
    assert.equal(config.BCRYPT_ROUNDS, 12);
    assert.equal(config.ACCESS_TOKEN_TTL_SECONDS, 900);
    assert.equal(config.REFRESH_TOKEN_TTL_SECONDS, 2_592_000);
    assert.equal(config.REDIS_PREFIX, 'dishpatch:');
    assert.match(config.AUTH_DATA_DIR, /\.data\/auth$/);
  });

  it('refuses bcrypt work factors below 10 unless weak rounds are allowed explicitly', () => {
    for (const rounds of ['4', '9']) {
      assert.throws(() => loadAuthConfig({ ...base, BCRYPT_ROUNDS: rounds }), (error: Error) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /BCRYPT_ROUNDS/);
        return true;
      });
    }
    assert.equal(loadAuthConfig({ ...base, BCRYPT_ROUNDS: '10' }).BCRYPT_ROUNDS, 10);
    assert.equal(loadAuthConfig({ ...base, BCRYPT_ROUNDS: '4', BCRYPT_ALLOW_WEAK_ROUNDS: 'true' }).BCRYPT_ROUNDS, 4);
    assert.throws(() => loadAuthConfig({ ...base, BCRYPT_ROUNDS: '3', BCRYPT_ALLOW_WEAK_ROUNDS: 'true' }), /BCRYPT_ROUNDS/);
  });

  it('names the variable of any bad value', () => {
    for (const [variable, value] of [
      ['AUTH_PORT', 'eighty'],
      ['AUTH_DATABASE_URL', 'mysql://x'],
      ['LOGIN_MAX_FAILURES_PER_EMAIL_AND_ADDRESS', '0'],
      ['REGISTRATION_MAX_PER_ADDRESS', '0'],
      ['ACCESS_TOKEN_TTL_SECONDS', '-5'],
      ['BCRYPT_ALLOW_WEAK_ROUNDS', 'yes'],
      ['REFRESH_TOKEN_REUSE_GRACE_SECONDS', '-1'],
      ['REFRESH_TOKEN_REUSE_GRACE_SECONDS', '61'],
      ['REFRESH_TOKEN_REUSE_GRACE_SECONDS', 'soon'],
      ['BCRYPT_MAX_QUEUED', '-1'],
      ['BCRYPT_MAX_WAIT_MS', '20000'],
      ['BCRYPT_MAX_CONCURRENT', 'many'],
    ] as const) {
      assert.throws(() => loadAuthConfig({ [variable]: value }), new RegExp(variable));
    }
    assert.throws(() => loadAuthConfig({ AUTH_PRIVATE_KEY: 'a', AUTH_PRIVATE_KEY_FILE: 'b' }), /AUTH_PRIVATE_KEY_FILE/);
  });
});
