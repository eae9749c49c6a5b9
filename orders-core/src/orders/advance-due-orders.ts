import type { QueryRunner } from 'typeorm';
import { STAGE_TRANSITIONS, statusListLiteral, statusLiteral, type OrderStatus, type StageTransition } from './order-status.js';
import { statusMoveCtes } from './status-moves.js';

/** Anything that runs SQL: a DataSource (each statement its own transaction) or a QueryRunner. */
export interface SqlExecutor {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** A DataSource's side the tick uses when it has one: a connection of its own, and its pool's size. */
interface ConnectionSource extends SqlExecutor {
  createQueryRunner(): QueryRunner;
  options: { poolSize?: number };
}

export interface AdvanceDueOrdersOptions {
  /** Least time, in seconds, an order spends in a stage before it moves on. */
  stageSeconds: number;
  /**
   * Most orders one batch (one statement, one transaction) moves. Default 20,000: a batch holds
   * its orders' row locks for about half a second on this machine, and a bigger batch gains
   * nothing (bench:worker at 1,000,000: 5,000 took 25.3 s, 20,000 23.2 s, one batch 23.7 s).
   */
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
  /**
   * SQL statements sent, so callers can see the count does not grow with the backlog: one per
   * batch and, when there was more than one batch, those of the cleanup hold (below): 2 to take
   * it, 1 per later batch, 1 to let it go.
   */
  statements: number;
}

export const DEFAULT_ADVANCE_BATCH_SIZE = 20_000;

/** The statuses the tick moves out of: those with a next stage in the status machine's table. */
const movableStatuses = statusListLiteral(STAGE_TRANSITIONS.map(({ from }) => from));
const nextStageCase = `CASE status ${STAGE_TRANSITIONS.map(({ from, to }) => `WHEN ${statusLiteral(from)} THEN ${statusLiteral(to)}`).join(' ')} END`;

/** Which transition a moved order took, known from where it landed: each stage is entered from one stage only. */
const FROM_BY_TO = new Map(STAGE_TRANSITIONS.map(({ from, to }) => [to, from]));
if (FROM_BY_TO.size !== STAGE_TRANSITIONS.length) throw new Error('two kitchen stages lead to the same stage: the tick could not tell its moves apart');

/**
 * One batch, one statement, so one transaction: move the oldest due orders one stage each,
 * keep their history and record the batch's events, and count the moves.
 *
 * - The order rows are written once: the UPDATE locks each row as it changes it, with no
 *   `FOR UPDATE` beforehand (which wrote every row's lock to disk before the update wrote the row
 *   again). `due` only reads, so a row another transaction holds (a user cancelling, another
 *   tick) makes this batch wait for it, a few milliseconds; the UPDATE's own WHERE repeats the
 *   due condition, which PostgreSQL checks again on the row that transaction committed, so an
 *   order moved or cancelled meanwhile is left alone. Two ticks lock the rows of a batch in one
 *   order (the rows' physical order, in which `ctid = ANY` visits them), so they cannot
 *   deadlock; the second finds the first's batch moved, moves fewer than a full batch, and stops.
 * - The cutoff is the tick's start minus the stage time, the tick's start fixed by the first
 *   batch ($1 null) and passed to the later ones. A moved order gets `status_changed_at =
 *   clock_timestamp()` (status-moves.ts), not earlier than the tick's start, and the cutoff is
 *   strict (`<`, so this holds even with a stage time of 0), so no later batch of the same tick
 *   (nor a concurrent tick, whose WHERE is checked again on the committed row) moves it a second
 *   stage.
 * - Each batch resumes the index walk where the previous one ended ($4, the largest
 *   status_changed_at it took; `>=`, as orders can share one): what lies before it was moved by
 *   this tick, and starting over from the oldest would step again over the index entries of
 *   every order moved so far, a cost that grew with each batch. An order can only become due
 *   behind that point if it was placed more than the stage time before the tick and committed
 *   after the batch, which the services' statement deadlines rule out; the next tick would
 *   take it anyway, as every tick starts from the oldest.
 * - The status list matches the partial index `orders_in_kitchen_idx`'s predicate literally,
 *   which is what lets the planner use it; it is generated from the status machine's table
 *   (order-status.ts) like the CASE, and a test checks it against the index's predicate.
 * - The UPDATE goes straight to the row versions `due` read (`ctid = ANY (ARRAY(...))`, a TID
 *   scan), with no primary-key look-up per order; joined to the CTE instead, the planner
 *   hash-joins the whole orders table on every batch. A version another transaction replaced
 *   meanwhile is followed to its latest one and the due condition checked again there; the
 *   version `due` read cannot be pruned away while this statement's snapshot still sees it.
 * - The move, its history and its event are the CTEs every transition uses (status-moves.ts): one
 *   UPDATE of the order rows and an events row per 1,000 moves. The WHERE checked on the
 *   locked row makes a second move of the same order impossible.
 * - The tick start and the resume point travel as text: a JS Date would drop PostgreSQL's
 *   microseconds.
 */
const DUE_CONDITION = `status IN (${movableStatuses})
    AND status_changed_at < (SELECT started_at FROM tick) - make_interval(secs => $2)`;
const ADVANCE_BATCH_SQL = `
WITH tick AS (
  SELECT coalesce($1::timestamptz, now()) AS started_at
),
due AS (
  SELECT ctid, status_changed_at
  FROM orders
  WHERE ${DUE_CONDITION}
    AND status_changed_at >= coalesce($4::timestamptz, '-infinity')
  ORDER BY status_changed_at
  LIMIT $3
),
${statusMoveCtes({ to: nextStageCase, where: `ctid = ANY (ARRAY(SELECT ctid FROM due))
    AND ${DUE_CONDITION}` })}
SELECT status AS to_status, count(*)::int AS moved, (SELECT started_at FROM tick)::text AS tick_started_at,
       (SELECT max(status_changed_at) FROM due)::text AS resume_at
FROM moved
GROUP BY status`;

interface BatchRow {
  to_status: OrderStatus;
  moved: number;
  tick_started_at: string;
  resume_at: string;
}

/**
 * While a tick of several batches runs, a read-only snapshot on a connection of its own holds
 * back PostgreSQL's cleanup of the order row versions the tick's batches replace, until the tick
 * ends, as the tick in one statement would.
 *
 * Why: every move inserts a new entry into each of the orders indexes (the update cannot be HOT:
 * status and status_changed_at are indexed), among them orders_pkey and orders_user_newest_idx,
 * whose keys are random. Once a batch has committed, the old entries of the orders it moved are
 * dead to everyone, and a later batch's insert into a full leaf page first tries to delete dead
 * entries from it (btree bottom-up deletion), reading the heap page of each: a different,
 * long-evicted page for nearly every entry. At 1,000,000 due orders that was 130,000 more heap
 * page reads than the one-statement tick (194,700 against 70,900), and the tick took 27.0 s twice
 * without the hold against 21.9 and 23.7 s with it (customers placing and cancelling meanwhile).
 * VACUUM removes the same entries later, reading the heap in order.
 *
 * - It holds no lock, so no customer or other tick waits for it. What waits is cleanup, in every
 *   table of the database, for as long as the tick runs (about 20 s for a million due orders):
 *   a row changed by every order, like a dish's stock, keeps its old versions meanwhile.
 *   Customers placing and cancelling orders during a 1,000,000-order tick saw a p99 of 20 and
 *   24 ms with the hold, 20 and 20 ms without.
 * - Taken alongside the second batch, so a tick of one batch (the usual case) sends nothing more;
 *   the first batch's old entries are not held back.
 * - It sends a statement alongside every later batch, and its idle-in-transaction deadline is twice
 *   the statement deadline, so it lasts as long as the batches keep coming: no batch outlives the
 *   statement deadline. If the worker stalls, the server ends it.
 * - Only with a DataSource whose pool has a second connection for it; inside a caller's
 *   transaction the tick is one transaction and holds the same back by itself.
 */
class CleanupHold {
  private constructor(private readonly queryRunner: QueryRunner) {}

  static canHold(executor: SqlExecutor): executor is ConnectionSource {
    const source = executor as Partial<ConnectionSource>;
    return typeof source.createQueryRunner === 'function' && (source.options?.poolSize ?? 10) >= 2;
  }

  static async take(source: ConnectionSource): Promise<CleanupHold> {
    const hold = new CleanupHold(source.createQueryRunner());
    try {
      await hold.queryRunner.query('START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      await hold.queryRunner.query(
        `SELECT set_config('idle_in_transaction_session_timeout', (2 * extract(epoch FROM current_setting('statement_timeout')::interval) * 1000)::bigint::text, true)`,
      );
    } catch (error) {
      // The pooled connection must not go back inside a transaction; the error to report is the first.
      await hold.release().catch(() => undefined);
      throw error;
    }
    return hold;
  }

  async keepAlive(): Promise<void> {
    await this.queryRunner.query('SELECT 1');
  }

  /** Ends the hold's transaction (COMMIT ends an aborted one too, as a rollback) and gives its connection back. */
  async release(): Promise<void> {
    try {
      await this.queryRunner.query('COMMIT');
    } finally {
      await this.queryRunner.release();
    }
  }

  /** Lets go of a hold being taken or taken (none if taking it failed); the statements it sent to do so. */
  static async letGo(hold: Promise<CleanupHold> | null): Promise<number> {
    const taken = await hold?.catch(() => null);
    if (!taken) return 0;
    await taken.release();
    return 1;
  }
}

/**
 * The worker's tick: moves every order that has spent at least `stageSeconds` in WAITING or
 * IN_PROGRESS exactly one stage forward, with its history and events in the same transaction, in
 * batches of at most `batchSize` orders (one statement each). A batch that moves fewer than
 * `batchSize` ends the tick; orders another transaction moved or cancelled while the batch
 * waited for them are not moved, and what a concurrent tick left is taken on a later tick.
 *
 * Safe to run twice or concurrently: what one run moved is no longer due for another.
 * Pass a DataSource so each batch commits on its own (a tick of several batches then also takes
 * a second connection from its pool, for the CleanupHold); a QueryRunner inside a transaction
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
  let resumeAt: string | null = null;
  let batches = 0;
  let holdStatements = 0;
  let hold: Promise<CleanupHold> | null = null;
  try {
    for (;;) {
      const batch = executor.query(ADVANCE_BATCH_SQL, [tickStartedAt, options.stageSeconds, batchSize, resumeAt]) as Promise<BatchRow[]>;
      let holding: Promise<unknown> | undefined;
      if (batches === 1 && CleanupHold.canHold(executor)) {
        hold = CleanupHold.take(executor);
        holding = hold;
        holdStatements += 2;
      } else if (hold) {
        holding = hold.then((taken) => taken.keepAlive());
        holdStatements += 1;
      }
      const [rows] = await Promise.all([batch, holding]);
      batches += 1;
      let movedInBatch = 0;
      for (const row of rows) {
        const key = `${FROM_BY_TO.get(row.to_status)}>${row.to_status}`;
        movedByTransition.set(key, (movedByTransition.get(key) ?? 0) + row.moved);
        movedInBatch += row.moved;
        tickStartedAt ??= row.tick_started_at;
        resumeAt = row.resume_at;
      }
      if (movedInBatch < batchSize) break;
    }
  } catch (error) {
    // The tick's own error is the one to report, not a failure to let go of the hold after it.
    await CleanupHold.letGo(hold).catch(() => undefined);
    throw error;
  }
  holdStatements += await CleanupHold.letGo(hold);

  const transitions = STAGE_TRANSITIONS.map(({ from, to }) => ({ from, to, moved: movedByTransition.get(`${from}>${to}`) ?? 0 }));
  return {
    transitions,
    moved: transitions.reduce((sum, transition) => sum + transition.moved, 0),
    batches,
    statements: batches + holdStatements,
  };
}
