import { ConflictError } from '@dishpatch/shared/errors';
import type { EntityManager } from 'typeorm';

/** How long a key stands for its first order; after that the customer may use it again. */
export const IDEMPOTENCY_KEY_LIFETIME = '24 hours';

export interface IdempotencyClaim {
  key: string;
  /** What the request asked for (see `validatePlaceOrderInput`). */
  fingerprint: string;
}

/**
 * Claims `claim.key` for the order about to be placed as `orderId`, inside the caller's
 * transaction; returns null when the key is now this order's, or the id of the order the
 * key already stands for. The primary key (user_id, idempotency_key) does the work: a second
 * INSERT of a key whose first transaction is still running waits for it, then either finds
 * the committed row (and returns its order) or, if the first rolled back, takes the key.
 * No read decides before the write, so concurrent retries cannot both place an order.
 *
 * A key older than its lifetime is deleted first, in the same transaction: PostgreSQL cannot
 * index "younger than 24 h" (now() is not immutable), so expiry happens where the key is
 * reused. The same key for another request is CONFLICT.
 */
export async function claimIdempotencyKey(manager: EntityManager, userId: string, claim: IdempotencyClaim, orderId: string): Promise<string | null> {
  await manager.query(
    `DELETE FROM order_idempotency_keys
      WHERE user_id = $1 AND idempotency_key = $2 AND created_at < now() - CAST($3 AS interval)`,
    [userId, claim.key, IDEMPOTENCY_KEY_LIFETIME],
  );
  const [claimed] = (await manager.query(
    `INSERT INTO order_idempotency_keys (user_id, idempotency_key, request_fingerprint, order_id)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT ON CONSTRAINT order_idempotency_keys_once_per_user DO NOTHING
     RETURNING order_id`,
    [userId, claim.key, claim.fingerprint, orderId],
  )) as Array<{ order_id: string }>;
  if (claimed) return null;
  // READ COMMITTED: this new statement sees the row the INSERT collided with, now committed.
  const [earlier] = (await manager.query(
    `SELECT request_fingerprint, order_id FROM order_idempotency_keys WHERE user_id = $1 AND idempotency_key = $2`,
    [userId, claim.key],
  )) as Array<{ request_fingerprint: string; order_id: string }>;
  if (!earlier) {
    // Expired and deleted by a concurrent call between the two statements: take it now.
    return claimIdempotencyKey(manager, userId, claim, orderId);
  }
  if (earlier.request_fingerprint !== claim.fingerprint) {
    throw new ConflictError(
      'input.idempotencyKey',
      'input.idempotencyKey: this key was already used for a different order (other items or specialRequests); use a new key for a new checkout',
    );
  }
  return earlier.order_id;
}
