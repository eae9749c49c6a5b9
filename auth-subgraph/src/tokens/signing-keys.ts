import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { chmod, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@dishpatch/shared/config';
import { publicJwkOf, verificationJwkOf, type PublicJwk, type SigningKey } from './access-token-signer.js';

/** Every key auth knows: the one that signs, and all that verify (the signing key plus rotated-out ones). */
export interface SigningKeySet {
  signingKey: SigningKey;
  /** Public keys by kid, the signing key's included; what the JWKS publishes. */
  verificationKeys: ReadonlyMap<string, KeyObject>;
  jwks: { keys: PublicJwk[] };
}

export interface SigningKeySources {
  /** PEM of the private key (config AUTH_PRIVATE_KEY). */
  privateKeyPem?: string | undefined;
  /** File holding that PEM (config AUTH_PRIVATE_KEY_FILE). */
  privateKeyFile?: string | undefined;
  /** PEM file of keys that only verify (config AUTH_ADDITIONAL_PUBLIC_KEYS_FILE). */
  additionalPublicKeysFile?: string | undefined;
  /** Where a key is generated and kept when none is configured (config AUTH_DATA_DIR). */
  dataDir: string;
}

export const GENERATED_KEY_FILE_NAME = 'signing-key.pem';

/** RFC 7638 JWK thumbprint: the same key always gets the same kid, on every replica. */
export function jwkThumbprint(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

function assertEs256Key(key: KeyObject, variable: string): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new ConfigError(`Invalid configuration:\n  ${variable}: must be an EC P-256 key (tokens are ES256)`);
  }
}

function parsePrivateKey(pem: string, variable: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem.replace(/\\n/g, '\n'));
  } catch {
    throw new ConfigError(`Invalid configuration:\n  ${variable}: not a PEM private key`);
  }
  assertEs256Key(key, variable);
  return key;
}

async function readConfiguredFile(path: string, variable: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  ${variable}=${JSON.stringify(path)}: cannot read the file (${(error as Error).message})`);
  }
}

/**
 * The key `npm start` signs with when none is configured: generated on first start, kept
 * (mode 0600) under the data folder and reused afterwards, so a restart does not sign everyone
 * out. Two processes starting together agree on one key: the file appears atomically via link().
 */
async function generatedPrivateKey(dataDir: string): Promise<KeyObject> {
  const path = join(dataDir, GENERATED_KEY_FILE_NAME);
  try {
    return parsePrivateKey(await readFile(path, 'utf8'), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  await chmod(temporary, 0o600);
  try {
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary);
  }
  return parsePrivateKey(await readFile(path, 'utf8'), path);
}

/** Every PEM block of a file, as public keys (a private key's public half is taken). */
function parsePublicKeys(text: string, variable: string): KeyObject[] {
  const blocks = text.match(/-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g) ?? [];
  if (blocks.length === 0) throw new ConfigError(`Invalid configuration:\n  ${variable}: no PEM key in the file`);
  return blocks.map((block) => {
    let key: KeyObject;
    try {
      key = createPublicKey(block);
    } catch {
      throw new ConfigError(`Invalid configuration:\n  ${variable}: a PEM block is not a key`);
    }
    assertEs256Key(key, variable);
    return key;
  });
}

/** Loads the signing key (configured, or generated once) and the keys that only verify. */
export async function loadSigningKeys(sources: SigningKeySources): Promise<SigningKeySet> {
  let privateKey: KeyObject;
  if (sources.privateKeyPem) {
    privateKey = parsePrivateKey(sources.privateKeyPem, 'AUTH_PRIVATE_KEY');
  } else if (sources.privateKeyFile) {
    privateKey = parsePrivateKey(await readConfiguredFile(sources.privateKeyFile, 'AUTH_PRIVATE_KEY_FILE'), 'AUTH_PRIVATE_KEY_FILE');
  } else {
    privateKey = await generatedPrivateKey(sources.dataDir);
  }
  const publicKey = createPublicKey(privateKey);
  const signingKey: SigningKey = { kid: jwkThumbprint(publicKey), privateKey };

  const verificationKeys = new Map<string, KeyObject>([[signingKey.kid, publicKey]]);
  const jwks: PublicJwk[] = [publicJwkOf(signingKey)];
  if (sources.additionalPublicKeysFile) {
    const variable = 'AUTH_ADDITIONAL_PUBLIC_KEYS_FILE';
    for (const key of parsePublicKeys(await readConfiguredFile(sources.additionalPublicKeysFile, variable), variable)) {
      const kid = jwkThumbprint(key);
      if (verificationKeys.has(kid)) continue;
      verificationKeys.set(kid, key);
      jwks.push(verificationJwkOf(kid, key));
    }
  }
  return { signingKey, verificationKeys, jwks: { keys: jwks } };
}
