import bcrypt from 'bcrypt';
import pg from 'pg';

export const SEED = {
  dishes: 50,
  users: 1000,
  orders: 100_000,
  /** Every dish starts with this much stock, far more than a run's orders take. */
  stockPerDish: 1_000_000,
  /** Every seeded user, the manager included, signs in with it. */
  password: 'bench-password-1',
  managerEmail: 'bench.manager@bench.test',
  /** Chefs for the measurement where no two requests in flight carry the same token: more than the connections. */
  chefs: 64,
  customerEmail: 'user0001@bench.test',
} as const;

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * 1,000 customers, one manager and 64 chefs, all with the same precomputed bcrypt hash (work factor 10,
 * the production minimum) so seeding costs one hash, not a thousand. Returns the customers' ids.
 */
/** The seeded chefs' emails, in order. */
export function chefEmails(): string[] {
  return Array.from({ length: SEED.chefs }, (_, index) => `chef${String(index + 1).padStart(2, '0')}@bench.test`);
}

export async function seedUsers(authDatabaseUrl: string): Promise<string[]> {
  const passwordHash = await bcrypt.hash(SEED.password, 10);
  return withClient(authDatabaseUrl, async (client) => {
    await client.query(
      `INSERT INTO users (username, email, password_hash, role, created_at, updated_at)
       SELECT format('bench_user_%s', lpad(g::text, 4, '0')), format('user%s@bench.test', lpad(g::text, 4, '0')),
              $1, 'CUSTOMER', t, t
       FROM generate_series(1, $2::int) AS g, LATERAL (SELECT now() - g * interval '1 hour' AS t) AS at`,
      [passwordHash, SEED.users],
    );
    await client.query(`INSERT INTO users (username, email, password_hash, role) VALUES ('bench_manager', $1, $2, 'MANAGER')`, [
      SEED.managerEmail,
      passwordHash,
    ]);
    await client.query(
      `INSERT INTO users (username, email, password_hash, role)
       SELECT format('bench_chef_%s', lpad(g::text, 2, '0')), format('chef%s@bench.test', lpad(g::text, 2, '0')), $1, 'CHEF'
       FROM generate_series(1, $2::int) AS g`,
      [passwordHash, SEED.chefs],
    );
    await client.query('VACUUM ANALYZE users');
    const { rows } = await client.query<{ id: string }>(`SELECT id FROM users WHERE role = 'CUSTOMER' ORDER BY username`);
    return rows.map((row) => row.id);
  });
}

/**
 * 50 dishes, then 100,000 orders spread over the customers (newest every 37 s back in time),
 * each with 1-3 lines on distinct dishes and the status history its status implies: most DONE,
 * some WAITING, IN_PROGRESS or CANCELLED.
 */
export async function seedOrders(ordersDatabaseUrl: string, customerIds: string[]): Promise<void> {
  await withClient(ordersDatabaseUrl, async (client) => {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO dishes (name, description, price, quantity)
       SELECT format('Bench dish %s', lpad(g::text, 2, '0')), 'Seeded by npm run bench', (4 + g * 0.75)::numeric(10, 2), $2
       FROM generate_series(1, $1::int) AS g`,
      [SEED.dishes, SEED.stockPerDish],
    );
    await client.query(
      `CREATE TEMP TABLE seeded_orders ON COMMIT DROP AS
       SELECT gen_random_uuid() AS id, g,
              ($1::uuid[])[1 + g % cardinality($1::uuid[])] AS user_id,
              CASE WHEN g % 50 = 0 THEN 'WAITING' WHEN g % 50 = 1 THEN 'IN_PROGRESS' WHEN g % 25 = 2 THEN 'CANCELLED' ELSE 'DONE' END AS status,
              now() - g * interval '37 seconds' AS created_at
       FROM generate_series(1, $2::int) AS g`,
      [customerIds, SEED.orders],
    );
    await client.query(
      `INSERT INTO orders (id, user_id, status, status_changed_at, waiting_at, in_progress_at, created_at, updated_at)
       SELECT id, user_id, status, created_at + interval '60 seconds',
              CASE WHEN status <> 'WAITING' THEN created_at END, CASE WHEN status = 'DONE' THEN created_at + interval '30 seconds' END,
              created_at, created_at + interval '60 seconds'
       FROM seeded_orders`,
    );
    // Lines k = 1..3 land on dishes 13 apart, so one order never names a dish twice.
    await client.query(
      `WITH menu AS (SELECT id, price, row_number() OVER (ORDER BY name) AS n FROM dishes)
       INSERT INTO order_items (order_id, dish_id, quantity, unit_price)
       SELECT o.id, menu.id, 1 + (o.g + k) % 3, menu.price
       FROM seeded_orders AS o
       CROSS JOIN LATERAL generate_series(1, 1 + o.g % 3) AS k
       JOIN menu ON menu.n = 1 + (o.g * 7 + k * 13) % $1`,
      [SEED.dishes],
    );
    await client.query('COMMIT');
    // As autovacuum would leave it: statistics for the planner and a visibility map for index-only scans.
    await client.query('VACUUM ANALYZE');
  });
}

export interface StockLedger {
  /** Sum of every dish's stock. */
  totalStock: number;
  lowestStock: number;
  /** Units in the lines of orders created after `since`. */
  unitsOrderedSince: number;
  ordersSince: number;
}

/** What the placeOrder check compares: stock before and after against the units in the run's orders. */
export async function readStockLedger(ordersDatabaseUrl: string, since: Date): Promise<StockLedger> {
  return withClient(ordersDatabaseUrl, async (client) => {
    // One snapshot for both reads: an order committing between them would count on one side only.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const stock = await client.query<{ total: string; lowest: number }>('SELECT sum(quantity) AS total, min(quantity) AS lowest FROM dishes');
    const ordered = await client.query<{ units: string | null; orders: string }>(
      `SELECT sum(i.quantity) AS units, count(DISTINCT o.id) AS orders
       FROM orders AS o LEFT JOIN order_items AS i ON i.order_id = o.id WHERE o.created_at > $1`,
      [since],
    );
    await client.query('COMMIT');
    return {
      totalStock: Number(stock.rows[0]!.total),
      lowestStock: stock.rows[0]!.lowest,
      unitsOrderedSince: Number(ordered.rows[0]!.units ?? 0),
      ordersSince: Number(ordered.rows[0]!.orders),
    };
  });
}

/** The dishes' ids in menu order. */
export async function dishIds(ordersDatabaseUrl: string): Promise<string[]> {
  return withClient(ordersDatabaseUrl, async (client) => {
    const { rows } = await client.query<{ id: string }>('SELECT id FROM dishes ORDER BY name');
    return rows.map((row) => row.id);
  });
}
