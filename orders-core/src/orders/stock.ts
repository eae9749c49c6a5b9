import { DishUnavailableError, InsufficientStockError, NotFoundError } from '@dishpatch/shared/errors';
import type { EntityManager } from 'typeorm';

/** One line to take out of stock. */
export interface StockRequest {
  /** Where the line came from in the request, to name it in errors (e.g. `input.items[2]`). */
  field: string;
  dishId: string;
  quantity: number;
}

export interface ReservedLine extends StockRequest {
  /** The dish's price at the moment the units were taken: numeric text, e.g. "12.10". */
  unitPrice: string;
}

/**
 * Takes every line's units out of stock inside the caller's transaction, or throws (and the
 * caller's rollback reserves nothing). Each line is a conditional UPDATE whose WHERE carries
 * the whole rule (not deleted, available, enough units), so there is no read-then-write and
 * no lost update; lines go in dish-id order, so two orders naming the same dishes lock them
 * in the same order and cannot deadlock each other.
 */
export async function reserveStock(manager: EntityManager, requests: readonly StockRequest[]): Promise<ReservedLine[]> {
  const inLockOrder = [...requests].sort((a, b) => (a.dishId < b.dishId ? -1 : a.dishId > b.dishId ? 1 : 0));
  const reserved: ReservedLine[] = [];
  for (const request of inLockOrder) {
    const rows = (await manager.query(
      `UPDATE dishes SET quantity = quantity - $2, updated_at = now()
        WHERE id = $1 AND deleted_at IS NULL AND is_available AND quantity >= $2
        RETURNING price::text AS price`,
      [request.dishId, request.quantity],
    )) as [Array<{ price: string }>, number];
    const taken = rows[0][0];
    if (!taken) throw await whyNotReservable(manager, request);
    reserved.push({ ...request, unitPrice: taken.price });
  }
  return reserved;
}

/** Reads why a line could not be served, only to word the error; the transaction is about to roll back. */
async function whyNotReservable(manager: EntityManager, request: StockRequest): Promise<Error> {
  const [dish] = (await manager.query(`SELECT name, quantity, is_available, deleted_at IS NOT NULL AS deleted FROM dishes WHERE id = $1`, [
    request.dishId,
  ])) as Array<{ name: string; quantity: number; is_available: boolean; deleted: boolean }>;
  if (!dish || dish.deleted) return new NotFoundError(`${request.field}.dishId: no dish with id ${request.dishId}`);
  if (!dish.is_available) return new DishUnavailableError(request.dishId, `${request.field}: dish "${dish.name}" (${request.dishId}) is not available`);
  return new InsufficientStockError(
    request.dishId,
    `${request.field}: dish "${dish.name}" (${request.dishId}) has ${dish.quantity} left, ${request.quantity} asked`,
  );
}

/**
 * Puts an order's units back, inside the caller's transaction. Only a transition that has
 * just moved the order out of the kitchen calls it, so the units come back exactly once.
 * The dishes are locked in id order first, as `reserveStock` does, so a cancel cannot
 * deadlock with orders being placed.
 */
export async function restoreStock(manager: EntityManager, orderId: string): Promise<void> {
  await manager.query(
    `SELECT id FROM dishes WHERE id IN (SELECT dish_id FROM order_items WHERE order_id = $1) ORDER BY id FOR NO KEY UPDATE`,
    [orderId],
  );
  await manager.query(
    `UPDATE dishes SET quantity = dishes.quantity + order_items.quantity, updated_at = now()
       FROM order_items
      WHERE order_items.order_id = $1 AND dishes.id = order_items.dish_id`,
    [orderId],
  );
}
