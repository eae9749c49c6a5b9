import type { EntityManager } from 'typeorm';
import { CANCELLED, STAGE_TRANSITIONS, cancellableStatuses, type OrderStatus } from './order-status.js';
import { RECORD_CREATION_SQL, statusMoveCtes } from './status-moves.js';
import { restoreStock } from './stock.js';

/**
 * The status machine applied to one order, inside the caller's transaction. Each transition is
 * a conditional UPDATE on the order's status (whatever another transaction did first, the WHERE
 * is checked again on the latest row), keeping its history and recording its event in the same statement
 * (status-moves.ts, shared with the worker's tick); it says whether the order moved, and only a
 * move has side effects. The worker's set-based tick (advance-due-orders.ts) follows the same
 * rules from order-status.ts for many orders at once.
 */

const STAGE_FROM = STAGE_TRANSITIONS.map(({ from }) => from);
const STAGE_TO = STAGE_TRANSITIONS.map(({ to }) => to);
/** Every status with a move to CANCELLED, whoever asks. */
const CANCELLABLE = cancellableStatuses(true);

const ADVANCE_ONE_SQL = `WITH ${statusMoveCtes({
  to: `(SELECT stage.next FROM unnest($2::text[], $3::text[]) AS stage(current, next) WHERE stage.current = orders.status)`,
  where: `id = $1 AND status = ANY($2::text[])`,
})}
SELECT status FROM moved`;

const CANCEL_ONE_SQL = `WITH ${statusMoveCtes({
  to: `$3`,
  where: `id = $1 AND status = ANY($2::text[])`,
})}
SELECT status FROM moved`;

/** Records a new order's first status (WAITING at its creation time) for the live-events relay; its history needs nothing more. */
export async function recordCreation(manager: EntityManager, orderId: string): Promise<void> {
  await manager.query(RECORD_CREATION_SQL, [orderId]);
}

/** Moves the order one stage forward (NEXT_STAGE); returns its new status, or null if it was not in a stage that moves. */
export async function advanceOneStage(manager: EntityManager, orderId: string): Promise<OrderStatus | null> {
  const rows = (await manager.query(ADVANCE_ONE_SQL, [orderId, STAGE_FROM, STAGE_TO])) as Array<{ status: OrderStatus }>;
  return rows[0]?.status ?? null;
}

/**
 * Cancels the order if its status is one of `allowedFrom` (see `cancellableStatuses`) and puts
 * its units back; returns whether it was cancelled. Two cancels, or a cancel and the worker,
 * racing on one order: the row lock serializes them, the loser's WHERE no longer matches, and
 * the stock is restored by the winner only.
 */
export async function cancelIfIn(manager: EntityManager, orderId: string, allowedFrom: readonly OrderStatus[]): Promise<boolean> {
  const cancellable = allowedFrom.filter((status) => CANCELLABLE.includes(status));
  const rows = (await manager.query(CANCEL_ONE_SQL, [orderId, cancellable, CANCELLED])) as Array<{ status: OrderStatus }>;
  if (rows.length === 0) return false;
  await restoreStock(manager, orderId);
  return true;
}
