import { createPublicKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Logger } from 'pino';
import { isUuid } from '../ids.js';

/** The roles of the contract, as they appear in tokens and in GraphQL. */
export const ROLES = ['CUSTOMER', 'CHEF', 'MANAGER'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking, as proven by a verified access token. */
export interface Viewer {
  userId: string;
  role: Role;
  sessionId: string;
}

/**
 * Tokens are ES256 only: the algorithm is pinned on both sides, never taken from the token.
 * The issuer (auth-subgraph/src/tokens/access-token-signer.ts) writes the claims this module
 * reads: `sub`, `role`, `sid`, `iss`, `aud`, `exp`, and `kid` in the header.
 */
export const TOKEN_ALGORITHM = 'ES256';
export const TOKEN_ISSUER = 'dishpatch-auth';
export const TOKEN_AUDIENCE = 'dishpatch';

/**
 * The outcome of reading an Authorization header: a viewer, or why there is none. `problem` is
 * null only when no token was sent (anonymous); `unavailableService` names what could not be
 * asked (Redis, for the revocation check), so the caller answers SERVICE_UNAVAILABLE rather than
 * UNAUTHENTICATED and a client does not refresh in a loop during an outage.
 */
export type Authentication =
  | { viewer: Viewer; problem?: undefined; unavailableService?: undefined }
  | { viewer: null; problem: string | null; unavailableService?: string };

/** What a revocation check is asked about one verified token. */
export interface TokenRevocationQuery {
  sessionId: string;
  userId: string;
  /** The token's `iat` in ms since the epoch (auth writes it with ms precision). */
  issuedAtMs: number;
}

export interface TokenVerifierOptions {
  /** Where the signing keys are published (auth's `/.well-known/jwks.json`). Required unless `localKeys` is given. */
  jwksUrl?: string;
  /**
   * Public keys by `kid`, used instead of fetching a JWKS. For the issuer itself (auth), which
   * holds its keys already and must not depend on an HTTP round trip to itself.
   */
  localKeys?: ReadonlyMap<string, KeyObject>;
  /**
   * Answers whether a token is revoked: its session (logout, refresh-token reuse), or every
   * token its user was issued before a cut-off (a role change). Throwing fails closed.
   */
  isRevoked: (token: TokenRevocationQuery) => Promise<boolean>;
  logger: Logger;
  /** Least time between two fetches caused by unknown `kid`s, so forged kids cannot flood auth. Default 10 s. */
  minRefetchIntervalMs?: number;
  /** How long fetched keys are trusted before a background refresh. Default 10 min. */
  cacheTtlMs?: number;
  /** Allowed clock difference between services, in seconds. Default 5. */
  clockToleranceSeconds?: number;
  /**
   * How many verified tokens are remembered, so that a client's next request with the same
   * token skips the ECDSA check (the costliest step of a request). Default 10,000.
   */
  verifiedCacheSize?: number;
}

/** A token whose signature and claims were checked, with what checked it. */
interface VerifiedToken {
  viewer: Viewer;
  issuedAtMs: number;
  /** From when jsonwebtoken would call it expired. */
  expiresAtMs: number;
  kid: string;
  key: KeyObject;
}

/**
 * Turns an `Authorization: Bearer` header into a viewer. Every subgraph verifies every token
 * itself (signature with a key from the JWKS, pinned algorithm, expiry, issuer, audience,
 * revocation), so reaching a subgraph directly is as safe as going through the gateway. A
 * token seen before is not checked again while its key and expiry still hold; its revocation is.
 */
export class TokenVerifier {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = 0;
  private lastFetchAttempt = 0;
  private inflight: Promise<void> | undefined;
  private readonly minRefetchIntervalMs: number;
  private readonly cacheTtlMs: number;
  private readonly clockToleranceSeconds: number;
  /** Token → its verification, oldest first (a Map keeps insertion order). */
  private readonly verified = new Map<string, VerifiedToken>();
  private readonly verifiedCacheSize: number;

  constructor(private readonly options: TokenVerifierOptions) {
    this.minRefetchIntervalMs = options.minRefetchIntervalMs ?? 10_000;
    this.cacheTtlMs = options.cacheTtlMs ?? 600_000;
    this.clockToleranceSeconds = options.clockToleranceSeconds ?? 5;
    this.verifiedCacheSize = options.verifiedCacheSize ?? 10_000;
    if (options.localKeys === undefined && !options.jwksUrl) {
      throw new Error('TokenVerifier needs either jwksUrl or localKeys');
    }
  }

  /** `log`: the request's logger, for the line a failed revocation check writes (the verifier's own by default). */
  async authenticate(authorization: string | undefined, log: Logger = this.options.logger): Promise<Authentication> {
    if (authorization === undefined || authorization.trim() === '') return { viewer: null, problem: null };
    const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)\s*$/i.exec(authorization);
    if (!match) return { viewer: null, problem: 'Malformed Authorization header: expected "Bearer <token>"' };
    const token = match[1]!;
    const verified = (await this.stillVerified(token)) ?? (await this.verify(token));
    if (!('viewer' in verified)) return { viewer: null, problem: verified.problem };
    const { viewer, issuedAtMs } = verified;
    try {
      if (await this.options.isRevoked({ sessionId: viewer.sessionId, userId: viewer.userId, issuedAtMs })) {
        return { viewer: null, problem: 'Session has been signed out' };
      }
    } catch (error) {
      log.error({ err: error }, 'revocation check failed; refusing the token');
      return { viewer: null, problem: 'Could not verify the session, try again', unavailableService: 'redis' };
    }
    return { viewer };
  }

  /**
   * The outcome of an earlier verification of this very token, while it still holds: the key
   * that checked the signature is still the one published for its kid, and the token has not
   * expired since. Revocation is not remembered: it is asked on every request.
   */
  private async stillVerified(token: string): Promise<VerifiedToken | undefined> {
    const known = this.verified.get(token);
    if (!known) return undefined;
    if (Date.now() < known.expiresAtMs && (await this.keyFor(known.kid)) === known.key) return known;
    this.verified.delete(token);
    return undefined;
  }

  /** Signature (pinned algorithm, key by kid), expiry, issuer, audience and the claims' shapes. */
  private async verify(token: string): Promise<VerifiedToken | { problem: string }> {
    const header = decodeHeader(token);
    if (!header || header.alg !== TOKEN_ALGORITHM || typeof header.kid !== 'string') return { problem: 'Invalid access token' };
    const kid = header.kid;
    const key = await this.keyFor(kid);
    if (!key) return { problem: 'Invalid access token' };
    let payload: jwt.JwtPayload;
    try {
      const verified = jwt.verify(token, key, {
        algorithms: [TOKEN_ALGORITHM],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        clockTolerance: this.clockToleranceSeconds,
      });
      if (typeof verified === 'string') return { problem: 'Invalid access token' };
      payload = verified;
    } catch (error) {
      if (error instanceof jwt.TokenExpiredError) return { problem: 'Access token expired' };
      return { problem: 'Invalid access token' };
    }
    const { sub, role, sid, exp, iat } = payload as { sub?: unknown; role?: unknown; sid?: unknown; exp?: unknown; iat?: unknown };
    if (!isUuid(sub) || !isUuid(sid)) return { problem: 'Invalid access token' };
    // jsonwebtoken checks `exp` only when present and never looks at a future `iat`: a token
    // without an expiry would live forever, and one "issued" in the future would outlive a
    // role change's cut-off, so both are refused here.
    if (typeof exp !== 'number' || !Number.isFinite(exp)) return { problem: 'Invalid access token' };
    if (typeof iat !== 'number' || !Number.isFinite(iat) || iat > Date.now() / 1000 + this.clockToleranceSeconds) {
      return { problem: 'Invalid access token' };
    }
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) return { problem: 'Invalid access token' };
    const verified: VerifiedToken = {
      viewer: { userId: sub, role: role as Role, sessionId: sid },
      issuedAtMs: iat * 1000,
      // jsonwebtoken's own rule: expired once the clock, in whole seconds, reaches exp + tolerance.
      expiresAtMs: (exp + this.clockToleranceSeconds) * 1000,
      kid,
      key,
    };
    this.remember(token, verified);
    return verified;
  }

  /** Only tokens that passed are kept (a forged one costs its sender a full check each time), the oldest dropped first. */
  private remember(token: string, verified: VerifiedToken): void {
    if (this.verified.size >= this.verifiedCacheSize) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, verified);
  }

  private async keyFor(kid: string): Promise<KeyObject | undefined> {
    if (this.options.localKeys) return this.options.localKeys.get(kid);
    const now = Date.now();
    if (this.fetchedAt === 0 || now - this.fetchedAt > this.cacheTtlMs) {
      await this.refresh(true);
    } else if (!this.keys.has(kid) && now - this.lastFetchAttempt >= this.minRefetchIntervalMs) {
      // An unknown kid may be a freshly rotated key: look again, but not more than once per interval.
      await this.refresh(false);
    }
    return this.keys.get(kid);
  }

  private refresh(force: boolean): Promise<void> {
    if (!force && Date.now() - this.lastFetchAttempt < this.minRefetchIntervalMs) return Promise.resolve();
    this.inflight ??= this.fetchKeys().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchKeys(): Promise<void> {
    const jwksUrl = this.options.jwksUrl;
    if (jwksUrl === undefined) return;
    this.lastFetchAttempt = Date.now();
    try {
      const response = await fetch(jwksUrl, { signal: AbortSignal.timeout(3000) });
      if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
      const body = (await response.json()) as { keys?: unknown };
      if (!Array.isArray(body.keys)) throw new Error('JWKS has no keys array');
      const keys = new Map<string, KeyObject>();
      for (const jwk of body.keys as Array<Record<string, unknown>>) {
        if (typeof jwk['kid'] !== 'string' || jwk['alg'] !== TOKEN_ALGORITHM || jwk['kty'] !== 'EC') continue;
        keys.set(jwk['kid'], createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' }));
      }
      this.keys = keys;
      this.fetchedAt = Date.now();
    } catch (error) {
      // Keep the keys we had: a passing auth outage must not sign everyone out.
      this.options.logger.error({ err: error, jwksUrl: this.options.jwksUrl }, 'could not fetch signing keys');
      if (this.fetchedAt !== 0) this.fetchedAt = Date.now() - this.cacheTtlMs + this.minRefetchIntervalMs;
    }
  }
}

function decodeHeader(token: string): { alg?: unknown; kid?: unknown } | undefined {
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as unknown;
    return header !== null && typeof header === 'object' ? (header as { alg?: unknown; kid?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}
