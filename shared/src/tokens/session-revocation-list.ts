import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

const KEY = 'revoked-session:';
const CHANNEL = 'session-revoked';

/**
 * The revocation protocol in Redis, written by the issuer
 * (auth-subgraph/src/tokens/session-revocation-publisher.ts) and read by this list: one key per
 * revoked session, holding when its record expires (ms since the epoch), and a channel whose
 * messages are `<sessionId> <expiresAtMs>`.
 */
export function revokedSessionKey(prefix: string, sessionId: string): string {
  return `${prefix}${KEY}${sessionId}`;
}

export function sessionRevocationChannel(prefix: string): string {
  return `${prefix}${CHANNEL}`;
}

export function sessionRevocationMessage(sessionId: string, expiresAtMs: number): string {
  return `${sessionId} ${expiresAtMs}`;
}

/**
 * A verifier's view of revoked sessions, kept in memory from Redis pub/sub so that checking
 * a token costs no round trip. While the subscription is not known to be complete (at start,
 * after a disconnect) it asks Redis for each session instead, so a missed message never lets
 * a revoked token through; if Redis cannot answer, the check fails closed.
 */
export class SessionRevocationList {
  /** Session id → when its record expires in Redis (ms); after that its tokens have expired too. */
  private readonly revoked = new Map<string, number>();
  private inSync = false;
  private closed = false;

  constructor(
    private readonly commands: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== sessionRevocationChannel(this.prefix)) return;
      const [sessionId, expiresAt] = message.split(' ');
      if (sessionId) this.revoked.set(sessionId, Number(expiresAt) || Number.POSITIVE_INFINITY);
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

  async isRevoked(sessionId: string): Promise<boolean> {
    if (this.inSync) {
      const expiresAt = this.revoked.get(sessionId);
      return expiresAt !== undefined && expiresAt > Date.now();
    }
    return (await this.commands.exists(revokedSessionKey(this.prefix, sessionId))) === 1;
  }

  /** Subscribe first, then load what is already recorded, so nothing falls in between. */
  private async synchronize(): Promise<void> {
    if (this.closed) return;
    try {
      await this.subscriber.subscribe(sessionRevocationChannel(this.prefix));
      let cursor = '0';
      const now = Date.now();
      do {
        const [next, keys] = await this.commands.scan(cursor, 'MATCH', `${this.prefix}${KEY}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) {
          const pipeline = this.commands.pipeline();
          for (const key of keys) pipeline.pttl(key);
          const ttls = (await pipeline.exec()) ?? [];
          keys.forEach((key, index) => {
            const ttl = Number(ttls[index]?.[1]);
            if (ttl > 0) this.revoked.set(key.slice(this.prefix.length + KEY.length), now + ttl);
          });
        }
      } while (cursor !== '0');
      this.pruneExpired();
      this.inSync = true;
    } catch (error) {
      this.logger.warn({ err: error }, 'could not synchronize revoked sessions; asking Redis per request');
    }
  }

  private pruneExpired(): void {
    const now = Date.now();
    for (const [sessionId, expiresAt] of this.revoked) if (expiresAt <= now) this.revoked.delete(sessionId);
  }

  close(): void {
    this.closed = true;
    this.inSync = false;
  }
}
