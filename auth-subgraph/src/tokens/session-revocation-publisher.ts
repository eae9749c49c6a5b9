import type { Redis } from 'ioredis';
import { revokedSessionKey, sessionRevocationChannel, sessionRevocationMessage } from '@dishpatch/shared/tokens';

/**
 * Auth's side: records that a session is revoked, for as long as any access token of it
 * could still be valid, and announces it so every verifier learns it at once. The verifiers'
 * side is `SessionRevocationList` in @dishpatch/shared/tokens, which owns the key and channel names.
 */
export async function publishSessionRevocation(
  redis: Redis,
  prefix: string,
  sessionId: string,
  ttlSeconds: number,
): Promise<void> {
  const seconds = Math.max(1, Math.ceil(ttlSeconds));
  const expiresAt = Date.now() + seconds * 1000;
  await redis
    .multi()
    .set(revokedSessionKey(prefix, sessionId), String(expiresAt), 'EX', seconds)
    .publish(sessionRevocationChannel(prefix), sessionRevocationMessage(sessionId, expiresAt))
    .exec();
}
