import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/**
 * A Redis connection that keeps retrying (with a capped backoff) instead of giving up, and
 * logs its state changes once rather than on every failed attempt.
 * `maxRetriesPerRequest: null` is what BullMQ workers and subscribers need.
 */
export function connectRedis(url: string, logger: Logger, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    enableOfflineQueue: true,
    ...options,
  });
  let wasReady = false;
  redis.on('ready', () => {
    if (wasReady) logger.info('redis reconnected');
    wasReady = true;
  });
  redis.on('error', (error: Error) => {
    if (wasReady) logger.warn({ err: error }, 'redis connection error');
  });
  return redis;
}

/**
 * Closes a connection whatever state it is in. Only a ready connection is asked to QUIT:
 * on one that is down, QUIT would queue behind the offline commands until their retries
 * run out, holding shutdown for many seconds.
 */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
