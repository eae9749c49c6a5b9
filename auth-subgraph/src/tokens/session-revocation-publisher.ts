import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { Logger } from '@dishpatch/shared/observability';
import {
  revocationsPublishedKey,
  revokedSessionKey,
  sessionRevocationChannel,
  sessionRevocationMessage,
  userTokensCutoffKey,
  userTokensCutoffMessage,
} from '@dishpatch/shared/tokens';

/** Revocations outlive the last access token by the verifiers' clock tolerance and some. */
export const REVOCATION_MARGIN_SECONDS = 60;

export interface RevocationPublisherOptions {
  redis: Redis;
  prefix: string;
  /** The record of every revocation: `sessions.revoked_at` and `users.tokens_valid_after`. */
  dataSource: DataSource;
  accessTokenTtlSeconds: number;
  logger: Logger;
  /** How often Redis is checked for having lost the revocations (its marker key gone). Default 1000 ms. */
  watchIntervalMs?: number;
}

/**
 * Auth's side of revocation: the database is the record, Redis the fast path to every verifier
 * (whose side is `SessionRevocationList` in @dishpatch/shared/tokens, which owns the key and
 * channel names). Each revocation is recorded in Redis for as long as a token it refuses could
 * still be valid, and announced so every verifier learns it at once.
 *
 * Redis may lose its data (a restart without persistence, a failover to an empty replica): then a
 * restarted verifier would know nothing and a logged-out token would work again. So everything
 * still relevant is published again on start, whenever the marker key that says "published"
 * has vanished, and after a publish that failed.
 */
export class RevocationPublisher {
  private republishNeeded = true;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly recordSeconds: number;

  constructor(private readonly options: RevocationPublisherOptions) {
    this.recordSeconds = options.accessTokenTtlSeconds + REVOCATION_MARGIN_SECONDS;
  }

  /** Starts watching Redis; the first check re-publishes at once. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.watch(), this.options.watchIntervalMs ?? 1000);
    this.timer.unref();
    void this.watch();
  }

  async revokeSession(sessionId: string): Promise<void> {
    await this.publishing(() => {
      const expiresAt = Date.now() + this.recordSeconds * 1000;
      return this.options.redis
        .multi()
        .set(revokedSessionKey(this.options.prefix, sessionId), String(expiresAt), 'EX', this.recordSeconds)
        .publish(sessionRevocationChannel(this.options.prefix), sessionRevocationMessage(sessionId, expiresAt))
        .exec();
    });
  }

  /** Every token the user was issued before `validAfterMs` is refused from now on. */
  async cutOffUser(userId: string, validAfterMs: number): Promise<void> {
    await this.publishing(() => {
      const expiresAt = Date.now() + this.recordSeconds * 1000;
      return this.options.redis
        .multi()
        .set(userTokensCutoffKey(this.options.prefix, userId), String(validAfterMs), 'EX', this.recordSeconds)
        .publish(sessionRevocationChannel(this.options.prefix), userTokensCutoffMessage(userId, validAfterMs, expiresAt))
        .exec();
    });
  }

  /** A failed publish is caught up by the next watch; the caller still hears of it. */
  private async publishing(publish: () => Promise<unknown>): Promise<void> {
    try {
      await publish();
    } catch (error) {
      this.republishNeeded = true;
      throw error;
    }
  }

  private async watch(): Promise<void> {
    if (this.running) return;
    this.running = (async () => {
      try {
        const published = (await this.options.redis.exists(revocationsPublishedKey(this.options.prefix))) === 1;
        if (this.republishNeeded || !published) await this.republish();
      } catch (error) {
        this.republishNeeded = true;
        this.options.logger.warn({ err: error }, 'could not check or re-publish revocations; trying again');
      } finally {
        this.running = undefined;
      }
    })();
    await this.running;
  }

  /** Publishes every revocation whose tokens may still be alive, from the database, then sets the marker. */
  async republish(): Promise<{ sessions: number; users: number }> {
    const { redis, prefix, dataSource } = this.options;
    const [sessions, users] = await Promise.all([
      dataSource.query(
        `SELECT id, (extract(epoch FROM revoked_at) * 1000)::float8 AS "revokedAtMs" FROM sessions
          WHERE revoked_at > now() - make_interval(secs => $1)`,
        [this.recordSeconds],
      ) as Promise<Array<{ id: string; revokedAtMs: number }>>,
      dataSource.query(
        `SELECT id, (extract(epoch FROM tokens_valid_after) * 1000)::float8 AS "validAfterMs" FROM users
          WHERE tokens_valid_after > now() - make_interval(secs => $1)`,
        [this.recordSeconds],
      ) as Promise<Array<{ id: string; validAfterMs: number }>>,
    ]);
    const pipeline = redis.pipeline();
    const channel = sessionRevocationChannel(prefix);
    for (const session of sessions) {
      const expiresAt = Math.round(session.revokedAtMs) + this.recordSeconds * 1000;
      const ttl = expiresAt - Date.now();
      if (ttl <= 0) continue;
      pipeline.set(revokedSessionKey(prefix, session.id), String(expiresAt), 'PX', ttl).publish(channel, sessionRevocationMessage(session.id, expiresAt));
    }
    for (const user of users) {
      const validAfterMs = Math.round(user.validAfterMs);
      const expiresAt = validAfterMs + this.recordSeconds * 1000;
      const ttl = expiresAt - Date.now();
      if (ttl <= 0) continue;
      pipeline
        .set(userTokensCutoffKey(prefix, user.id), String(validAfterMs), 'PX', ttl)
        .publish(channel, userTokensCutoffMessage(user.id, validAfterMs, expiresAt));
    }
    pipeline.set(revocationsPublishedKey(prefix), String(Date.now()));
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0];
    this.republishNeeded = false;
    if (sessions.length + users.length > 0) {
      this.options.logger.info({ sessions: sessions.length, users: users.length }, 're-published revocations to Redis');
    }
    return { sessions: sessions.length, users: users.length };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
