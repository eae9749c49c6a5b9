import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@dishpatch/shared/testing';
import { createOrdersDataSource, type OrdersDataSourceOptions } from '../data-source.js';

/**
 * Test helpers over a real orders database, for the core's tests and the worker's: a fresh
 * migrated database, orders inserted set-based at any stage, and the history's invariants.
 * Never imported by running code.
 */

export interface OrdersTestDatabase {
  database: TestDatabase;
  dataSource: DataSource;
  drop(): Promise<void>;
}

/** A fresh database with the orders migrations applied (as the orders subgraph would). */
export async function createOrdersTestDatabase(
  label: string,
  options: Omit<OrdersDataSourceOptions, 'url'> = {},
): Promise<OrdersTestDatabase> {
  const database = await createTestDatabase(label);
  const dataSource = createOrdersDataSource({ url: database.url, ...options });
  await dataSource.initialize();
  await dataSource.runMigrations();
  return {
    database,
    dataSource,
    async drop() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await database.drop();
    },
  };
}

/**
 * Every order's history as rows (order_id, status, at), read from where it lives (the order row:
 * status-history.ts), for tests that check it in SQL: `FROM ${ORDER_HISTORY_ROWS} h`.
 */
export const ORDER_HISTORY_ROWS = `(
  SELECT o.id AS order_id, stage.status, stage.at
  FROM orders o
  CROSS JOIN LATERAL (VALUES ('WAITING', o.waiting_at), ('IN_PROGRESS', o.in_progress_at), (o.status, o.status_changed_at)) AS stage (status, at)
  WHERE stage.at IS NOT NULL
)`;

/**
 * Inserts `count` orders (set-based) that entered `status` `ageSeconds` ago, with the history
 * that leads there (each earlier stage a minute before: WAITING, IN_PROGRESS when it was
 * reached, then `status`), each of its moves recorded as an event as the services would (one
 * events row per stage, in time order). Returns their ids.
 */
export async function insertOrders(
  dataSource: DataSource,
  options: { count: number; status: 'WAITING' | 'IN_PROGRESS' | 'DONE' | 'CANCELLED'; ageSeconds: number },
): Promise<string[]> {
  const rows = (await dataSource.query(
    `WITH created AS (
       INSERT INTO orders (user_id, status, status_changed_at, created_at, waiting_at, in_progress_at)
       SELECT gen_random_uuid(), $1, entered, entered - interval '120 seconds',
              CASE $1 WHEN 'WAITING' THEN NULL WHEN 'DONE' THEN entered - interval '120 seconds' ELSE entered - interval '60 seconds' END,
              CASE $1 WHEN 'DONE' THEN entered - interval '60 seconds' END
       FROM generate_series(1, $3), LATERAL (SELECT now() - make_interval(secs => $2) AS entered) AS times
       RETURNING id, user_id, status, status_changed_at, waiting_at, in_progress_at
     ),
     moves AS (
       SELECT created.id, created.user_id, stage.step, stage.status, stage.at
       FROM created
       CROSS JOIN LATERAL (VALUES (1, 'WAITING', created.waiting_at), (2, 'IN_PROGRESS', created.in_progress_at), (3, created.status, created.status_changed_at)) AS stage (step, status, at)
       WHERE stage.at IS NOT NULL
     ),
     events AS (
       INSERT INTO order_status_events (moves, first_at, order_ids, user_ids, statuses, ats)
       SELECT count(*), min(at), array_agg(id), array_agg(user_id), array_agg(status), array_agg(at) FROM moves GROUP BY step ORDER BY step
     )
     SELECT id FROM created`,
    [options.status, options.ageSeconds, options.count],
  )) as Array<{ id: string }>;
  return rows.map((row) => row.id);
}

export async function statusesOf(dataSource: DataSource, ids: readonly string[]): Promise<Map<string, string>> {
  const rows = (await dataSource.query(`SELECT id, status FROM orders WHERE id = ANY($1)`, [ids])) as Array<{ id: string; status: string }>;
  return new Map(rows.map((row) => [row.id, row.status]));
}

export async function countByStatus(dataSource: DataSource, ids?: readonly string[]): Promise<Record<string, number>> {
  const rows = (await dataSource.query(
    `SELECT status, count(*)::int AS n FROM orders WHERE $1::uuid[] IS NULL OR id = ANY($1) GROUP BY status`,
    [ids ?? null],
  )) as Array<{ status: string; n: number }>;
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

const VALID_HISTORIES = new Set(['WAITING', 'WAITING>IN_PROGRESS', 'WAITING>IN_PROGRESS>DONE', 'WAITING>CANCELLED', 'WAITING>IN_PROGRESS>CANCELLED']);

/**
 * Every order's history is a path of the status machine with no gap, in time order, and ends
 * in the order's current status at its status_changed_at. Returns one line per broken order
 * (empty when all hold).
 */
export async function historyProblems(dataSource: DataSource): Promise<string[]> {
  const rows = (await dataSource.query(
    `SELECT o.id, o.status, o.status_changed_at = max(h.at) AS same_time,
            string_agg(h.status, '>' ORDER BY h.at) AS history
     FROM orders o JOIN ${ORDER_HISTORY_ROWS} h ON h.order_id = o.id
     GROUP BY o.id`,
  )) as Array<{ id: string; status: string; same_time: boolean; history: string }>;
  const problems: string[] = [];
  for (const row of rows) {
    if (!VALID_HISTORIES.has(row.history)) problems.push(`${row.id}: history ${row.history} is not a path of the status machine`);
    else if (!row.history.endsWith(row.status)) problems.push(`${row.id}: status ${row.status} but history ${row.history}`);
    else if (!row.same_time) problems.push(`${row.id}: a stage began after the current one`);
  }
  return problems;
}

export { ACCEPTED, REFUSED } from './money-cases.js';
