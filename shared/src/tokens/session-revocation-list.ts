import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { TokenRevocationQuery } from './token-verifier.js';

const SESSION_KEY = 'revoked-session:';
const USER_KEY = 'user-tokens-valid-after:';
const CHANNEL = 'session-revoked';
const PUBLISHED_MARKER = 'revocations-published';
/** Messages about a user start with this word; a session id (a UUID) never equals it. */
const USER_MESSAGE = 'user';

/**
 * The revocation protocol in Redis, written by the issuer
 * (auth-subgraph/src/tokens/session-revocation-publisher.ts) and read by this list:
 * - one key per revoked session, holding when its record expires (ms since the epoch);
 * - one key per user whose earlier tokens were cut off (a role change), holding the cut-off
 *   (ms): every token of that user issued before it is refused;
 * - one channel, whose messages are `<sessionId> <expiresAtMs>` or
 *   `user <userId> <validAfterMs> <expiresAtMs>`;
 * - a marker key that auth sets once everything still relevant is in Redis. Redis is the fast
 *   path, auth's database the record: when the marker is gone (Redis lost its data) auth
 *   publishes it all again.
 */
export function revokedSessionKey(prefix: string, sessionId: string): string {
  return `${prefix}${SESSION_KEY}${sessionId}`;
}

export function userTokensCutoffKey(prefix: string, userId: string): string {
  return `${prefix}${USER_KEY}${userId}`;
}

export function revocationsPublishedKey(prefix: string): string {
  return `${prefix}${PUBLISHED_MARKER}`;
}

export function sessionRevocationChannel(prefix: string): string {
  return `${prefix}${CHANNEL}`;
}

export function sessionRevocationMessage(sessionId: string, expiresAtMs: number): string {
  return `${sessionId} ${expiresAtMs}`;
}

export function userTokensCutoffMessage(userId: string, validAfterMs: number, expiresAtMs: number): string {
  return `${USER_MESSAGE} ${userId} ${validAfterMs} ${expiresAtMs}`;
}

export interface SessionRevocationListOptions {
  /** How long a per-token question to Redis may take before the check fails (closed). Default 500 ms. */
  checkTimeoutMs?: number;
}

/**
 * A verifier's view of revocations, kept in memory from Redis pub/sub so that checking a token
 * costs no round trip. While the subscription is not known to be complete (at start, after a
 * disconnect) it asks Redis for each token instead, so a missed message never lets a revoked
 * token through; if Redis cannot answer within the deadline the check fails closed, fast.
 * What was learned before an outage is never dropped, so those tokens stay refused during it.
 */
export class SessionRevocationList {
  /** Session id → when its record expires (ms); after that its tokens have expired too. */
  private readonly revoked = new Map<string, number>();
  /** User id → the cut-off (ms) before which their tokens are refused, and when that record expires. */
  private readonly userCutoffs = new Map<string, { validAfterMs: number; expiresAtMs: number }>();
  private inSync = false;
  private closed = false;
  private readonly checkTimeoutMs: number;

  constructor(
    private readonly commands: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
    options: SessionRevocationListOptions = {},
  ) {
    this.checkTimeoutMs = options.checkTimeoutMs ?? 500;
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== sessionRevocationChannel(this.prefix)) return;
      this.learn(message);
      this.pruneExpired();
    });
    this.subscriber.on('close', () => {
      this.inSync = false;
    });
    this.subscriber.on('ready', () => {
      void this.synchronize();
    });
    if (this.subscriber.status === 'ready') void this.synchronize();
  }

  /** True when the token's session is revoked or its user's tokens were cut off after it was issued. */
  async isRevoked(token: TokenRevocationQuery): Promise<boolean> {
    if (this.knownRevoked(token)) return true;
    if (this.inSync) return false;
    const [sessionRecord, cutoff] = await this.askRedis(token);
    if (sessionRecord === 1) this.revoked.set(token.sessionId, Date.now() + this.checkTimeoutMs + 60_000);
    const validAfterMs = Number(cutoff);
    if (cutoff !== null && Number.isFinite(validAfterMs)) this.rememberCutoff(token.userId, validAfterMs, Date.now() + 60_000);
    return this.knownRevoked(token);
  }

  private knownRevoked(token: TokenRevocationQuery): boolean {
    const now = Date.now();
    const sessionExpiresAt = this.revoked.get(token.sessionId);
    if (sessionExpiresAt !== undefined && sessionExpiresAt > now) return true;
    const cutoff = this.userCutoffs.get(token.userId);
    return cutoff !== undefined && cutoff.expiresAtMs > now && token.issuedAtMs < cutoff.validAfterMs;
  }

  /** One round trip with a deadline: an unreachable Redis must not hold a request for seconds. */
  private async askRedis(token: TokenRevocationQuery): Promise<[number, string | null]> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`revocation check took more than ${this.checkTimeoutMs} ms`)), this.checkTimeoutMs);
    });
    const question = this.commands
      .pipeline()
      .exists(revokedSessionKey(this.prefix, token.sessionId))
      .get(userTokensCutoffKey(this.prefix, token.userId))
      .exec()
      .then((results) => {
        const failed = results?.find(([error]) => error);
        if (!results || failed) throw failed?.[0] ?? new Error('no answer from Redis');
        return [Number(results[0]![1]), (results[1]![1] as string | null) ?? null] as [number, string | null];
      });
    question.catch(() => {}); // answered by the race below; a late failure must not go unhandled
    try {
      return await Promise.race([question, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private learn(message: string): void {
    const parts = message.split(' ');
    if (parts[0] === USER_MESSAGE) {
      const [, userId, validAfter, expiresAt] = parts;
      const validAfterMs = Number(validAfter);
      if (userId && Number.isFinite(validAfterMs)) this.rememberCutoff(userId, validAfterMs, Number(expiresAt) || Number.POSITIVE_INFINITY);
      return;
    }
    const [sessionId, expiresAt] = parts;
    if (sessionId) this.revoked.set(sessionId, Number(expiresAt) || Number.POSITIVE_INFINITY);
  }

  /** Cut-offs only move forward: a late or repeated message never re-admits tokens. */
  private rememberCutoff(userId: string, validAfterMs: number, expiresAtMs: number): void {
    const known = this.userCutoffs.get(userId);
    if (known && known.validAfterMs >= validAfterMs) {
      known.expiresAtMs = Math.max(known.expiresAtMs, expiresAtMs);
      return;
    }
    this.userCutoffs.set(userId, { validAfterMs, expiresAtMs });
  }

  /** Subscribe first, then load what is already recorded, so nothing falls in between. */
  private async synchronize(): Promise<void> {
    if (this.closed) return;
    try {
      await this.subscriber.subscribe(sessionRevocationChannel(this.prefix));
      await this.loadRecorded(SESSION_KEY, (id, expiresAt) => this.revoked.set(id, expiresAt));
      await this.loadRecorded(USER_KEY, (id, expiresAt, value) => {
        const validAfterMs = Number(value);
        if (Number.isFinite(validAfterMs)) this.rememberCutoff(id, validAfterMs, expiresAt);
      });
      this.pruneExpired();
      this.inSync = true;
    } catch (error) {
      this.logger.warn({ err: error }, 'could not synchronize revocations; asking Redis per request');
    }
  }

  private async loadRecorded(kind: string, record: (id: string, expiresAtMs: number, value: string | null) => void): Promise<void> {
    const start = this.prefix.length + kind.length;
    let cursor = '0';
    do {
      const [next, keys] = await this.commands.scan(cursor, 'MATCH', `${this.prefix}${kind}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length === 0) continue;
      const now = Date.now();
      const pipeline = this.commands.pipeline();
      for (const key of keys) pipeline.pttl(key).get(key);
      const results = (await pipeline.exec()) ?? [];
      keys.forEach((key, index) => {
        const ttl = Number(results[index * 2]?.[1]);
        if (ttl > 0) record(key.slice(start), now + ttl, (results[index * 2 + 1]?.[1] as string | null) ?? null);
      });
    } while (cursor !== '0');
  }

  private pruneExpired(): void {
    const now = Date.now();
    for (const [sessionId, expiresAt] of this.revoked) if (expiresAt <= now) this.revoked.delete(sessionId);
    for (const [userId, cutoff] of this.userCutoffs) if (cutoff.expiresAtMs <= now) this.userCutoffs.delete(userId);
  }

  close(): void {
    this.closed = true;
    this.inSync = false;
  }
}
