/**
 * "Move orders to a new status and write each move's history row", as two CTEs (`moved`,
 * `history`) of one statement: the one place both the per-order transitions
 * (order-transitions.ts) and the worker's tick (advance-due-orders.ts) build it from, so the
 * order row and its history can never disagree.
 *
 * Every move is stamped with clock_timestamp(), not now():
 * - A move may wait on the row lock of another (a worker batch, a user's transition, a user
 *   waiting on a batch or a batch on a user); when that one changed the row, PostgreSQL
 *   evaluates the WHERE and the SET list again on the committed row, so clock_timestamp() is
 *   read after that move committed and the history sorts in the order the moves happened.
 *   now() is the transaction's start, which can be earlier than the move it waited for.
 * - clock_timestamp() is never earlier than the transaction's now(), so what the tick's cutoff
 *   relies on (a moved order is stamped no earlier than the tick's start) holds as it did with
 *   now(). The orders of one batch then carry the times they were moved at, a few microseconds
 *   apart, instead of one shared time.
 * The history row takes the order's own status_changed_at, so the order's status_changed_at is
 * always its last history row's `at`.
 */
export interface StatusMove {
  /** The new status: an SQL expression over the `orders` row being moved (it may read `status`). */
  to: string;
  /** Which `orders` rows move: an SQL condition, checked again on each row once it is locked. */
  where: string;
  /**
   * A history row the order already has for its new status (the history's UNIQUE(order_id,
   * status)); the row lock makes it impossible, this is the last guard. 'fail': the statement
   * fails and the caller's transaction rolls back. 'skip': the row is not written again and the
   * rest of the statement goes on (a batch of thousands is not lost to one order).
   */
  onRecordedStatus: 'fail' | 'skip';
}

/** The `moved` and `history` CTEs; `moved` returns (id, status, status_changed_at) of each moved order. */
export function statusMoveCtes(move: StatusMove): string {
  const onConflict = move.onRecordedStatus === 'skip' ? '\n    ON CONFLICT (order_id, status) DO NOTHING' : '';
  return `moved AS (
    UPDATE orders
    SET status = ${move.to}, status_changed_at = clock_timestamp(), updated_at = clock_timestamp()
    WHERE ${move.where}
    RETURNING id, status, status_changed_at
  ),
  history AS (
    INSERT INTO order_status_changes (order_id, status, at)
    SELECT id, status, status_changed_at FROM moved${onConflict}
  )`;
}
