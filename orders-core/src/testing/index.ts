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

/** The history rows an order inserted by a test has: each status and how long before its current one it began. */
const HISTORY_PATHS = `(VALUES
  ('WAITING', 'WAITING', 0),
  ('IN_PROGRESS', 'WAITING', 60), ('IN_PROGRESS', 'IN_PROGRESS', 0),
  ('DONE', 'WAITING', 120), ('DONE', 'IN_PROGRESS', 60), ('DONE', 'DONE', 0),
  ('CANCELLED', 'WAITING', 60), ('CANCELLED', 'CANCELLED', 0)
) AS path (current_status, status, seconds_before)`;

/**
 * Inserts `count` orders (set-based) that entered `status` `ageSeconds` ago, with the history
 * rows that lead there (each earlier stage a minute before). Returns their ids.
 */
export async function insertOrders(
  dataSource: DataSource,
  options: { count: number; status: 'WAITING' | 'IN_PROGRESS' | 'DONE' | 'CANCELLED'; ageSeconds: number },
): Promise<string[]> {
  const rows = (await dataSource.query(
    `WITH created AS (
       INSERT INTO orders (user_id, status, status_changed_at, created_at)
       SELECT gen_random_uuid(), $1, now() - make_interval(secs => $2), now() - make_interval(secs => $2 + 120)
       FROM generate_series(1, $3)
       RETURNING id, status, status_changed_at
     ),
     history AS (
       INSERT INTO order_status_changes (order_id, status, at)
       SELECT created.id, path.status, created.status_changed_at - make_interval(secs => path.seconds_before)
       FROM created JOIN ${HISTORY_PATHS} ON path.current_status = created.status
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
 * Every order's history is a path of the status machine with no gap, ends in the order's
 * current status, and its last row is as old as the order's status_changed_at.
 * Returns one line per broken order (empty when all hold).
 */
export async function historyProblems(dataSource: DataSource): Promise<string[]> {
  const rows = (await dataSource.query(
    `SELECT o.id, o.status, o.status_changed_at = max(h.at) AS same_time,
            coalesce(string_agg(h.status, '>' ORDER BY h.at, h.id), '') AS history
     FROM orders o LEFT JOIN order_status_changes h ON h.order_id = o.id
     GROUP BY o.id`,
  )) as Array<{ id: string; status: string; same_time: boolean | null; history: string }>;
  const problems: string[] = [];
  for (const row of rows) {
    if (!VALID_HISTORIES.has(row.history)) problems.push(`${row.id}: history ${row.history} is not a path of the status machine`);
    else if (!row.history.endsWith(row.status)) problems.push(`${row.id}: status ${row.status} but history ${row.history}`);
    else if (!row.same_time) problems.push(`${row.id}: status_changed_at differs from its last history row`);
  }
  return problems;
}

export { ACCEPTED, REFUSED } from './money-cases.js';
