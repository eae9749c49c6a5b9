import { statusLiteral, type OrderStatus } from './order-status.js';
import { STAGE_START_COLUMNS } from './status-history.js';

/**
 * "Move orders to a new status, keep their history and record the moves for the live-events
 * relay", as two CTEs (`moved`, `events`) of one statement: the one place both the per-order
 * transitions (order-transitions.ts) and the worker's tick (advance-due-orders.ts) build it
 * from, so the order row, its history and its events can never disagree.
 *
 * - History (status-history.ts): the move copies the old status_changed_at into the column of
 *   the stage it leaves, so that stage's start is kept exactly, and stamps status_changed_at for
 *   the new one. Nothing else is written per order: no history row, no index entry of its own.
 * - Events: `order_status_events` rows of up to 1,000 moves each, the moves as arrays, in the
 *   order they were made (migrations/1765100000000); none when nothing moved.
 * - Every move is stamped with clock_timestamp(), not now(). A move may wait on the row lock of
 *   another (a worker batch, a user's transition, a user waiting on a batch or a batch on a
 *   user); when that one changed the row, PostgreSQL evaluates the WHERE and the SET list again
 *   on the committed row, so clock_timestamp() is read after that move committed and the
 *   history sorts in the order the moves happened. now() is the transaction's start, which can
 *   be earlier than the move it waited for. clock_timestamp() is never earlier than the
 *   transaction's now(), so what the tick's cutoff relies on (a moved order is stamped no
 *   earlier than the tick's start) holds as it did with now().
 */
export interface StatusMove {
  /** The new status: an SQL expression over the `orders` row being moved (it may read `status`). */
  to: string;
  /** Which `orders` rows move: an SQL condition, checked again on each row once it is locked. */
  where: string;
}

/**
 * Most moves one events row holds: the relay's default stream entry (DEFAULT_LIVE_EVENTS_BATCH_SIZE),
 * so it reads a big tick's batch a row at a time. In one row of 20,000 moves it opened all 20,000
 * for each entry of 1,000 (bench:relay at 1,000,000 orders: 13 s to catch up became 24 s).
 */
const MOVES_PER_EVENTS_ROW = 1000;

/** `waiting_at = CASE WHEN status = 'WAITING' THEN status_changed_at ELSE waiting_at END, ...`: the old row's values. */
const keepLeftStageStart = (Object.entries(STAGE_START_COLUMNS) as Array<[OrderStatus, { column: string }]>)
  .map(([status, { column }]) => `${column} = CASE WHEN status = ${statusLiteral(status)} THEN status_changed_at ELSE ${column} END`)
  .join(',\n        ');

/**
 * The events rows of the moves `source` yields (a query with columns id, user_id, status,
 * status_changed_at: each an order and the status it entered when), in the order it yields
 * them; nothing when it yields none.
 */
function insertEvents(source: string): string {
  return `INSERT INTO order_status_events (moves, first_at, order_ids, user_ids, statuses, ats)
    SELECT count(*), min(status_changed_at), array_agg(id), array_agg(user_id), array_agg(status), array_agg(status_changed_at)
    FROM (SELECT source.*, row_number() OVER () - 1 AS position FROM (${source}) AS source) AS numbered
    GROUP BY position / ${MOVES_PER_EVENTS_ROW}
    ORDER BY position / ${MOVES_PER_EVENTS_ROW}`;
}

/** The `moved` and `events` CTEs; `moved` returns (id, user_id, status, status_changed_at) of each moved order. */
export function statusMoveCtes(move: StatusMove): string {
  return `moved AS (
    UPDATE orders
    SET status = ${move.to}, status_changed_at = clock_timestamp(), updated_at = clock_timestamp(),
        ${keepLeftStageStart}
    WHERE ${move.where}
    RETURNING id, user_id, status, status_changed_at
  ),
  events AS (
    ${insertEvents('SELECT * FROM moved')}
  )`;
}

/** Records the creation of an order inserted earlier in the same transaction ($1): its WAITING event. */
export const RECORD_CREATION_SQL = insertEvents('SELECT id, user_id, status, status_changed_at FROM orders WHERE id = $1');
