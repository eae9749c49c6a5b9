import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimitedError } from '@dishpatch/shared/errors';

export interface LoginRateLimits {
  /** Failed attempts for one email from one client address within the window. */
  maxFailuresPerEmailAndAddress: number;
  /** Failed attempts from one client address, across emails, within the window. */
  maxFailuresPerAddress: number;
  windowSeconds: number;
}

export interface RegistrationRateLimits {
  /** Registrations from one client address within the window. */
  maxPerAddress: number;
  windowSeconds: number;
}

/**
 * Counts each attempt before the password is checked (INCR, window set on the first), so that
 * concurrent guesses cannot slip past the limit between a check and a write. Returns
 * [count, pttl] per key.
 */
const COUNT_ATTEMPT = `
local results = {}
for _, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, ARGV[1]) end
  results[#results + 1] = count
  results[#results + 1] = redis.call('PTTL', key)
end
return results`;

/** A success is not a failure: clear the (email, address) count and take the attempt back from the address. */
const FORGET_ATTEMPT = `
redis.call('DEL', KEYS[1])
if redis.call('EXISTS', KEYS[2]) == 1 and tonumber(redis.call('GET', KEYS[2])) > 0 then redis.call('DECR', KEYS[2]) end
return 1`;

/**
 * Login throttling shared by every replica through Redis. Counts are kept per (email, client
 * address) and per client address, never per email alone: a limit on the email alone lets
 * anyone who knows an address lock its owner out (five wrong passwords and the owner waits 15
 * minutes, from anywhere). Identity providers (Auth0's brute-force protection, Entra ID's smart
 * lockout) block the attacking pair and the attacking address instead, and leave the owner,
 * signing in from elsewhere, alone. Guessing from many addresses at once stays slow: each
 * address gets only a few tries per account and a bounded number overall, and every try costs a
 * bcrypt turn from a bounded queue. Too many failures give RATE_LIMITED until the window ends.
 * Keys hold hashes, so Redis never stores an email or an address in clear.
 */
export class LoginRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limits: LoginRateLimits,
  ) {}

  /** Counts one attempt; throws RATE_LIMITED when this (email, address) pair or the address is over its limit. */
  async countAttempt(email: string, clientAddress: string): Promise<void> {
    const keys = this.keysFor(email, clientAddress);
    const [pairCount, pairTtl, addressCount, addressTtl] = (await this.redis.eval(
      COUNT_ATTEMPT,
      keys.length,
      ...keys,
      String(this.limits.windowSeconds * 1000),
    )) as [number, number, number, number];
    const waits: number[] = [];
    if (pairCount > this.limits.maxFailuresPerEmailAndAddress) waits.push(pairTtl);
    if (addressCount > this.limits.maxFailuresPerAddress) waits.push(addressTtl);
    if (waits.length > 0) throw new RateLimitedError(Math.max(...waits) / 1000, 'Too many sign-in attempts, try again later');
  }

  async forgetAttempt(email: string, clientAddress: string): Promise<void> {
    const keys = this.keysFor(email, clientAddress);
    await this.redis.eval(FORGET_ATTEMPT, keys.length, ...keys);
  }

  private keysFor(email: string, clientAddress: string): [string, string] {
    return [
      `${this.prefix}login-attempts:email-address:${digest(`${email.trim().toLowerCase()} ${clientAddress}`)}`,
      `${this.prefix}login-attempts:address:${digest(clientAddress)}`,
    ];
  }
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * Registrations per client address within a fixed window (one address made 125 accounts in
 * 21 s): counted before any bcrypt work, RATE_LIMITED with retryAfterSeconds beyond the limit.
 */
export class RegistrationRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limits: RegistrationRateLimits,
  ) {}

  async countAttempt(clientAddress: string): Promise<void> {
    const key = `${this.prefix}registrations:address:${digest(clientAddress)}`;
    const [count, ttl] = (await this.redis.eval(COUNT_ATTEMPT, 1, key, String(this.limits.windowSeconds * 1000))) as [number, number];
    if (count > this.limits.maxPerAddress) {
      throw new RateLimitedError(Math.max(ttl, 1000) / 1000, 'Too many registrations from this address, try again later');
    }
  }
}
