import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The header the gateway sends its shared secret in, on every subgraph request. */
export const GATEWAY_SECRET_HEADER = 'x-dishpatch-gateway-secret';

/** 32 random bytes as base64url: 43 characters, 256 bits. */
export const MIN_SECRET_LENGTH = 43;
/** A random 43-character base64url string has about 31 distinct characters; a placeholder has a handful. */
const MIN_DISTINCT_CHARACTERS = 12;

/** Why a value cannot be the shared secret, or undefined when it can. */
export function weaknessOfSecret(value: string): string | undefined {
  if (!/^[A-Za-z0-9_\-+/]+={0,2}$/.test(value)) return 'must be base64 or base64url (e.g. 32 random bytes: openssl rand -base64 32)';
  if (value.replace(/=+$/, '').length < MIN_SECRET_LENGTH) return `must be at least ${MIN_SECRET_LENGTH} characters (32 random bytes as base64)`;
  if (new Set(value).size < MIN_DISTINCT_CHARACTERS) return 'looks like a placeholder, not random bytes';
  return undefined;
}

/** A new secret: 32 random bytes as base64url. */
export function generateSharedSecret(): string {
  return randomBytes(32).toString('base64url');
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * The secret the gateway proves itself with. Compared in constant time: both sides are hashed
 * first, so neither the position of the first wrong byte nor the length of a guess shows.
 */
export class GatewaySecret {
  private readonly expected: Buffer;

  constructor(secret: string) {
    this.expected = digest(secret);
  }

  /** Whether the request carries the secret (exactly one header with the exact value). */
  isCarriedBy(req: IncomingMessage): boolean {
    const value = req.headers[GATEWAY_SECRET_HEADER];
    if (typeof value !== 'string') return false;
    return timingSafeEqual(digest(value), this.expected);
  }
}
