import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimitedError } from '@dishpatch/shared/errors';

export interface LoginRateLimits {
  /** Attempts per email within the window. */
  maxFailuresPerEmail: number;
  /** Attempts per client address within the window. */
  maxFailuresPerAddress: number;
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

/** A success is not a failure: clear the email's count and take the attempt back from the address. */
const FORGET_ATTEMPT = `
redis.call('DEL', KEYS[1])
if redis.call('EXISTS', KEYS[2]) == 1 and tonumber(redis.call('GET', KEYS[2])) > 0 then redis.call('DECR', KEYS[2]) end
return 1`;

/**
 * Login throttling shared by every replica through Redis: too many failed attempts for one
 * email, or from one client address, within a fixed window give RATE_LIMITED until the window
 * ends. Keys hold hashes, so Redis never stores an email or an address in clear.
 */
export class LoginRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limits: LoginRateLimits,
  ) {}

  /** Counts one attempt; throws RATE_LIMITED when the email or the address is over its limit. */
  async countAttempt(email: string, clientAddress: string): Promise<void> {
    const keys = this.keysFor(email, clientAddress);
    const [emailCount, emailTtl, addressCount, addressTtl] = (await this.redis.eval(
      COUNT_ATTEMPT,
      keys.length,
      ...keys,
      String(this.limits.windowSeconds * 1000),
    )) as [number, number, number, number];
    const waits: number[] = [];
    if (emailCount > this.limits.maxFailuresPerEmail) waits.push(emailTtl);
    if (addressCount > this.limits.maxFailuresPerAddress) waits.push(addressTtl);
    if (waits.length > 0) throw new RateLimitedError(Math.max(...waits) / 1000, 'Too many sign-in attempts, try again later');
  }

  async forgetAttempt(email: string, clientAddress: string): Promise<void> {
    const keys = this.keysFor(email, clientAddress);
    await this.redis.eval(FORGET_ATTEMPT, keys.length, ...keys);
  }

  private keysFor(email: string, clientAddress: string): [string, string] {
    const digest = (value: string) => createHash('sha256').update(value).digest('hex');
    return [
      `${this.prefix}login-attempts:email:${digest(email.trim().toLowerCase())}`,
      `${this.prefix}login-attempts:address:${digest(clientAddress)}`,
    ];
  }
}
