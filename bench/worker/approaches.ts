import pg from 'pg';
import { StatementCounter } from '@dishpatch/shared/testing';
import { createOrdersDataSource } from '@dishpatch/orders-core/data-source';
import { advanceDueOrders, DEFAULT_ADVANCE_BATCH_SIZE } from '@dishpatch/orders-core/kitchen-clock';
import { NEXT_STAGE, type OrderStatus } from '@dishpatch/orders-core/orders';
import { BENCH_DATABASE_TIMEOUTS } from './backlog.js';

export interface TickMeasurement {
  moved: number;
  /** Orders due when the tick began (row-by-row may stop early on its time budget). */
  due: number;
  seconds: number;
  statements: number;
  /** True when the approach stopped on its time budget before moving every due order. */
  capped: boolean;
}

export interface Approach {
  name: string;
  tick(url: string, options: { stageSeconds: number; due: number; budgetSeconds: number }): Promise<TickMeasurement>;
}

/** A pg client that counts the statements it sends. */
async function countingClient(url: string): Promise<{ client: pg.Client; query: (sql: string, params?: unknown[]) => Promise<pg.QueryResult>; statements: () => number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let statements = 0;
  return {
    client,
    query: (sql, params) => {
      statements += 1;
      return client.query(sql, params);
    },
    statements: () => statements,
  };
}

async function timeAdvanceDueOrders(url: string, stageSeconds: number, batchSize: number | undefined): Promise<TickMeasurement> {
  const counter = new StatementCounter();
  const dataSource = createOrdersDataSource({ url, poolSize: 2, logger: counter, timeouts: BENCH_DATABASE_TIMEOUTS });
  await dataSource.initialize();
  try {
    counter.statements = [];
    const started = performance.now();
    const result = await advanceDueOrders(dataSource, { stageSeconds, ...(batchSize ? { batchSize } : {}) });
    const seconds = (performance.now() - started) / 1000;
    return { moved: result.moved, due: result.moved, seconds, statements: counter.statements.length, capped: false };
  } finally {
    await dataSource.destroy();
  }
}

/** Ours: advanceDueOrders through the orders data source, as the worker runs it. */
export const setBased: Approach = {
  name: `ours: CTE batches of ${DEFAULT_ADVANCE_BATCH_SIZE.toLocaleString('en-US')} (history)`,
  tick: (url, { stageSeconds }) => timeAdvanceDueOrders(url, stageSeconds, undefined),
};

/**
 * The same statement with no bound: the whole backlog in one batch. Not what the worker does
 * (one long transaction holding every row lock); shown to separate the cost of batching from
 * the cost of writing history.
 */
export const setBasedUnbounded: Approach = {
  name: 'ours, unbounded: 1 batch of all N (reference)',
  tick: (url, { stageSeconds, due }) => timeAdvanceDueOrders(url, stageSeconds, due + 1),
};

/** The seed's tick: two whole-table UPDATEs (DONE first, so nothing moves twice), no history. */
export const seedWholeTable: Approach = {
  name: 'seed: 2 whole-table UPDATEs (no history)',
  async tick(url, { stageSeconds }) {
    const { client, query, statements } = await countingClient(url);
    try {
      const started = performance.now();
      const finished = await query(
        `UPDATE orders SET status = 'DONE', status_changed_at = now(), updated_at = now()
         WHERE status = 'IN_PROGRESS' AND status_changed_at < now() - make_interval(secs => $1)`,
        [stageSeconds],
      );
      const begun = await query(
        `UPDATE orders SET status = 'IN_PROGRESS', status_changed_at = now(), updated_at = now()
         WHERE status = 'WAITING' AND status_changed_at < now() - make_interval(secs => $1)`,
        [stageSeconds],
      );
      const seconds = (performance.now() - started) / 1000;
      const moved = (finished.rowCount ?? 0) + (begun.rowCount ?? 0);
      return { moved, due: moved, seconds, statements: statements(), capped: false };
    } finally {
      await client.end();
    }
  },
};

/** Row by row: select the due orders, then per order its own transaction with an UPDATE (status and history) and an events INSERT. */
export const rowByRow: Approach = {
  name: 'row-by-row: per order BEGIN/UPDATE/INSERT/COMMIT',
  async tick(url, { stageSeconds, budgetSeconds }) {
    const { client, query, statements } = await countingClient(url);
    try {
      const started = performance.now();
      const due = await query(
        `SELECT id, status FROM orders
         WHERE status IN ('WAITING', 'IN_PROGRESS') AND status_changed_at < now() - make_interval(secs => $1)
         ORDER BY status_changed_at`,
        [stageSeconds],
      );
      let moved = 0;
      let capped = false;
      for (const order of due.rows as Array<{ id: string; status: OrderStatus }>) {
        if ((performance.now() - started) / 1000 > budgetSeconds) {
          capped = true;
          break;
        }
        await query('BEGIN');
        const updated = await query(
          `UPDATE orders SET status = $3, status_changed_at = now(), updated_at = now(),
             waiting_at = CASE WHEN status = 'WAITING' THEN status_changed_at ELSE waiting_at END,
             in_progress_at = CASE WHEN status = 'IN_PROGRESS' THEN status_changed_at ELSE in_progress_at END
           WHERE id = $1 AND status = $2 RETURNING user_id, status_changed_at`,
          [order.id, order.status, NEXT_STAGE[order.status]],
        );
        if (updated.rowCount === 1) {
          const { user_id: userId, status_changed_at: at } = updated.rows[0];
          await query(
            `INSERT INTO order_status_events (moves, first_at, order_ids, user_ids, statuses, ats) VALUES (1, $1, ARRAY[$2::uuid], ARRAY[$3::uuid], ARRAY[$4], ARRAY[$1::timestamptz])`,
            [at, order.id, userId, NEXT_STAGE[order.status]],
          );
          moved += 1;
        }
        await query('COMMIT');
      }
      const seconds = (performance.now() - started) / 1000;
      return { moved, due: due.rowCount ?? 0, seconds, statements: statements(), capped };
    } finally {
      await client.end();
    }
  },
};
