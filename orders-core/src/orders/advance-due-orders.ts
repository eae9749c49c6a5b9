import { STAGE_TRANSITIONS, statusListLiteral, statusLiteral, type OrderStatus, type StageTransition } from './order-status.js';
import { statusMoveCtes } from './status-moves.js';

/** Anything that runs SQL: a DataSource (each statement its own transaction) or a QueryRunner. */
export interface SqlExecutor {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export interface AdvanceDueOrdersOptions {
  /** Least time, in seconds, an order spends in a stage before it moves on. */
  stageSeconds: number;
  /** Most orders one batch (one statement, one transaction) moves. Default 5,000. */
  batchSize?: number;
}

export interface TransitionCount extends StageTransition {
  moved: number;
}

export interface AdvanceDueOrdersResult {
  /** Every forward transition of the status machine, with how many orders took it (0 included). */
  transitions: TransitionCount[];
  /** Orders moved, all transitions together. */
  moved: number;
  /** Batches run; each is exactly one SQL statement. */
  batches: number;
  /** SQL statements sent, so callers can see the count does not grow with the backlog. */
  statements: number;
}

export const DEFAULT_ADVANCE_BATCH_SIZE = 5000;

/** The statuses the tick moves out of: those with a next stage in the status machine's table. */
const movableStatuses = statusListLiteral(STAGE_TRANSITIONS.map(({ from }) => from));
const nextStageCase = `CASE status ${STAGE_TRANSITIONS.map(({ from, to }) => `WHEN ${statusLiteral(from)} THEN ${statusLiteral(to)}`).join(' ')} END`;

/**
 * One batch, one statement, so one transaction: lock the oldest due orders that nobody else
 * holds, move each one stage, write each move's history row, and count the moves.
 *
 * - `SKIP LOCKED`: an order a user is cancelling or advancing right now is left for a later
 *   tick, so no user action waits on the worker (and two workers split the backlog).
 * - The cutoff is the tick's start minus the stage time, the tick's start fixed by the first
 *   batch ($1 null) and passed to the later ones. A moved order gets `status_changed_at =
 *   clock_timestamp()` (status-moves.ts), not earlier than the tick's start, and the cutoff is
 *   strict (`<`, so this holds even with a stage time of 0), so no later batch of the same tick
 *   (nor a concurrent worker, whose row lock re-checks the WHERE on the committed row) moves it
 *   a second stage.
 * - The status list matches the partial index `orders_in_kitchen_idx`'s predicate literally,
 *   which is what lets the planner use it; it is generated from the status machine's table
 *   (order-status.ts) like the CASE, and a test checks it against the index's predicate.
 * - The UPDATE finds its rows by primary key (`id = ANY (ARRAY(...))`): joined to the CTE
 *   instead, the planner hash-joins the whole orders table on every batch. The row is locked
 *   by this statement, so its status is the one `due` saw, and the CASE reads it directly.
 * - The move and its history row are the CTEs every transition uses (status-moves.ts), with a
 *   history row that already exists skipped: the history's UNIQUE(order_id, status) is the last
 *   guard against a double write; the row lock already makes a second move of the same order
 *   impossible.
 * - The tick start travels as text: a JS Date would drop PostgreSQL's microseconds.
 */
const ADVANCE_BATCH_SQL = `
WITH tick AS (
  SELECT coalesce($1::timestamptz, now()) AS started_at
),
due AS (
  SELECT id, status
  FROM orders
  WHERE status IN (${movableStatuses})
    AND status_changed_at < (SELECT started_at FROM tick) - make_interval(secs => $2)
  ORDER BY status_changed_at
  LIMIT $3
  FOR UPDATE SKIP LOCKED
),
${statusMoveCtes({ to: nextStageCase, where: 'id = ANY (ARRAY(SELECT id FROM due))', onRecordedStatus: 'skip' })}
SELECT due.status AS from_status, moved.status AS to_status, count(*)::int AS moved,
       (SELECT started_at FROM tick)::text AS tick_started_at
FROM moved JOIN due USING (id)
GROUP BY from_status, to_status`;

interface BatchRow {
  from_status: OrderStatus;
  to_status: OrderStatus;
  moved: number;
  tick_started_at: string;
}

/**
 * The worker's tick: moves every order that has spent at least `stageSeconds` in WAITING or
 * IN_PROGRESS exactly one stage forward, with its history row in the same transaction, in
 * batches of at most `batchSize` orders (one statement each). A batch that moves fewer than
 * `batchSize` ends the tick; rows skipped because they were locked are taken on a later tick.
 *
 * Safe to run twice or concurrently: what one run moved is no longer due for another.
 * Pass a DataSource so each batch commits on its own; a QueryRunner inside a transaction
 * makes the whole tick one transaction.
 */
export async function advanceDueOrders(executor: SqlExecutor, options: AdvanceDueOrdersOptions): Promise<AdvanceDueOrdersResult> {
  const batchSize = options.batchSize ?? DEFAULT_ADVANCE_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isFinite(options.stageSeconds) || options.stageSeconds < 0) {
    throw new RangeError(`stageSeconds must be a number >= 0, got ${options.stageSeconds}`);
  }

  const movedByTransition = new Map<string, number>();
  let tickStartedAt: string | null = null;
  let batches = 0;
  for (;;) {
    const rows = (await executor.query(ADVANCE_BATCH_SQL, [tickStartedAt, options.stageSeconds, batchSize])) as BatchRow[];
    batches += 1;
    let movedInBatch = 0;
    for (const row of rows) {
      const key = `${row.from_status}>${row.to_status}`;
      movedByTransition.set(key, (movedByTransition.get(key) ?? 0) + row.moved);
      movedInBatch += row.moved;
      tickStartedAt ??= row.tick_started_at;
    }
    if (movedInBatch < batchSize) break;
  }

  const transitions = STAGE_TRANSITIONS.map(({ from, to }) => ({ from, to, moved: movedByTransition.get(`${from}>${to}`) ?? 0 }));
  return {
    transitions,
    moved: transitions.reduce((sum, transition) => sum + transition.moved, 0),
    batches,
    statements: batches,
  };
}
