import pg from 'pg';
import type { DatabaseTimeouts } from '@dishpatch/shared/database';
import { createOrdersDataSource } from '@dishpatch/orders-core/data-source';

/** The machine's PostgreSQL (trust auth); override with BENCH_DATABASE_ADMIN_URL. */
export const ADMIN_DATABASE_URL = process.env['BENCH_DATABASE_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * The bench's own deadlines: filling a backlog of a million orders, or the unbounded tick over
 * it, is one statement that runs far longer than any the services allow.
 */
export const BENCH_DATABASE_TIMEOUTS: DatabaseTimeouts = { connectTimeoutMs: 5000, statementTimeoutMs: 30 * 60_000, idleInTransactionTimeoutMs: 10_000 };

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** `work` on a connection of its own to the database at `url`, closed afterwards. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  return withClient(ADMIN_DATABASE_URL, work);
}

export async function dropDatabase(name: string): Promise<void> {
  await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/**
 * Creates the orders schema (the real migrations) in a new database and fills it with `count`
 * orders, all past their stage time: half WAITING, half IN_PROGRESS, with their history.
 * All set-based (generate_series), then VACUUM ANALYZE so every copy starts with fresh stats.
 */
export async function createBacklogDatabase(name: string, count: number, stageSeconds: number): Promise<void> {
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  const dataSource = createOrdersDataSource({ url: databaseUrl(name), poolSize: 1, timeouts: BENCH_DATABASE_TIMEOUTS });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations();
    // Orders arrive over the last hour in id order, as a real backlog does (so the oldest stage
    // is also the earliest row in the table); the last one is a minute past due.
    await dataSource.query(
      `INSERT INTO orders (user_id, status, status_changed_at, waiting_at, created_at, updated_at)
       SELECT gen_random_uuid(), CASE WHEN n % 2 = 0 THEN 'WAITING' ELSE 'IN_PROGRESS' END,
              stage_started, CASE WHEN n % 2 = 1 THEN stage_started - interval '1 minute' END, stage_started - interval '1 minute', stage_started
       FROM generate_series(1, $1) AS n,
            LATERAL (SELECT now() - make_interval(secs => $2 + 60 + 3600.0 * ($1 - n) / $1) AS stage_started) AS times`,
      [count, stageSeconds],
    );
  } finally {
    await dataSource.destroy();
  }
  await withClient(databaseUrl(name), (client) => client.query('VACUUM ANALYZE'));
}

/** A copy of the backlog for one approach, so each starts from the same data. */
export async function copyDatabase(template: string, name: string): Promise<void> {
  // FILE_COPY: a checkpoint plus a file copy, much faster than WAL-logging a large template.
  await admin((client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}" STRATEGY FILE_COPY`));
}
