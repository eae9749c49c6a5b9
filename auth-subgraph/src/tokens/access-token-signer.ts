import { createPublicKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { TOKEN_ALGORITHM, TOKEN_AUDIENCE, TOKEN_ISSUER, type Viewer } from '@dishpatch/shared/tokens';

// The issuer's side of the access-token format. Only auth signs, so this lives here and
// services that only verify (@dishpatch/shared/tokens) never load it.

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

/** The one home of the access-token format: `sub`, `role`, `sid`, `iss`, `aud`, `exp`, `kid` in the header. */
export function signAccessToken(key: SigningKey, viewer: Viewer, ttlSeconds: number): { token: string; expiresAt: Date } {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const exp = nowSeconds + ttlSeconds;
  const token = jwt.sign({ role: viewer.role, sid: viewer.sessionId, iat: nowSeconds, exp }, key.privateKey, {
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
