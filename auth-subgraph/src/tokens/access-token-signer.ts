import { createPublicKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { TOKEN_ALGORITHM, TOKEN_AUDIENCE, TOKEN_ISSUER, type Viewer } from '@dishpatch/shared/tokens';

// The issuer's side of the access-token format. Only auth signs, so this lives here and
// services that only verify (@dishpatch/shared/tokens) never load it.

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

/**
 * The one home of the access-token format: `sub`, `role`, `sid`, `iss`, `aud`, `iat`, `exp`,
 * `kid` in the header. `iat` has millisecond precision (a JWT NumericDate may be fractional):
 * verifiers refuse a user's tokens issued before a role change's cut-off, and a token issued
 * just after the change, in the same second, must not look older than it. `notBefore` (the
 * user's cut-off) keeps `iat` from falling before it even if this clock lags the one that set it.
 */
export function signAccessToken(
  key: SigningKey,
  viewer: Viewer,
  ttlSeconds: number,
  notBefore: Date | null = null,
): { token: string; expiresAt: Date } {
  const nowMs = Math.max(Date.now(), notBefore?.getTime() ?? 0);
  const iat = nowMs / 1000;
  const exp = Math.floor(iat) + ttlSeconds;
  const token = jwt.sign({ role: viewer.role, sid: viewer.sessionId, iat, exp }, key.privateKey, {
    algorithm: TOKEN_ALGORITHM,
    keyid: key.kid,
    subject: viewer.userId,
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
  });
  return { token, expiresAt: new Date(exp * 1000) };
}

/** A public JWK as served at `/.well-known/jwks.json`. */
export interface PublicJwk {
  kty: string;
  crv?: string;
  x?: string;
  y?: string;
  kid: string;
  alg: string;
  use: string;
}

export function publicJwkOf(key: SigningKey): PublicJwk {
  return verificationJwkOf(key.kid, createPublicKey(key.privateKey));
}

/** The JWK of a verification-only public key (a rotated-out signing key that tokens may still carry). */
export function verificationJwkOf(kid: string, publicKey: KeyObject): PublicJwk {
  const jwk = publicKey.export({ format: 'jwk' });
  return { kty: String(jwk.kty), crv: jwk.crv, x: jwk.x, y: jwk.y, kid, alg: TOKEN_ALGORITHM, use: 'sig' };
}
