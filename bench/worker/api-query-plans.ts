/**
 * The plan of every statement the orders services send for the API, on a database the size of
 * the worker bench's backlog: `npx tsx --conditions=source bench/worker/api-query-plans.ts`
 * (BENCH_PLANS_ORDERS, default 100,000). It fills a backlog (backlog.ts, one line per order added), runs one tick, places,
 * cancels and advances orders and reads them back through the services as the resolvers do,
 * records each statement with its parameters, then prints `EXPLAIN` of each after
 * `VACUUM ANALYZE`, so a schema change that leaves a query without its index shows here.
 * Uses the machine's PostgreSQL (BENCH_DATABASE_ADMIN_URL); the database is dropped at the end.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { createOrdersDataSource } from '@dishpatch/orders-core/data-source';
import { DishService } from '@dishpatch/orders-core/dishes';
import { advanceDueOrders } from '@dishpatch/orders-core/kitchen-clock';
import { MoneyInput } from '@dishpatch/orders-core/money';
import { OrderService } from '@dishpatch/orders-core/orders';
import { BENCH_DATABASE_TIMEOUTS, createBacklogDatabase, databaseUrl, dropDatabase, withClient } from './backlog.js';

const ORDERS = Number(process.env['BENCH_PLANS_ORDERS'] ?? 100_000);

/** Keeps each statement the services send while `recording` is on, once per SQL text and parameters. */
class StatementRecorder implements TypeOrmLogger {
  recording = false;
  readonly statements = new Map<string, { sql: string; parameters: unknown[] }>();
  logQuery(sql: string, parameters: unknown[] = []): void {
    if (this.recording && !/^(START TRANSACTION|COMMIT|ROLLBACK|BEGIN)/i.test(sql)) this.statements.set(`${sql}\n${JSON.stringify(parameters)}`, { sql, parameters });
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

async function main(): Promise<void> {
  const name = `dishpatch_bench_plans_${randomBytes(3).toString('hex')}`;
  try {
    await createBacklogDatabase(name, ORDERS, 30);
    const recorder = new StatementRecorder();
    const dataSource = createOrdersDataSource({ url: databaseUrl(name), poolSize: 2, timeouts: BENCH_DATABASE_TIMEOUTS, logger: recorder });
    await dataSource.initialize();
    try {
      await advanceDueOrders(dataSource, { stageSeconds: 30 });
      const dishes = new DishService(dataSource);
      const orders = new OrderService(dataSource);
      const menu = await Promise.all(
        Array.from({ length: 20 }, (_, index) => dishes.create({ name: `Dish ${index}`, price: new MoneyInput('9.50'), quantity: 1000 })),
      );
      // The backlog's orders get a line each, so the items' plans are those of a full table.
      await dataSource.query(
        `INSERT INTO order_items (order_id, dish_id, quantity, unit_price)
         SELECT o.id, ($1::uuid[])[1 + (row_number() OVER ()) % 20], 1, 9.50 FROM orders o`,
        [menu.map((dish) => dish.id)],
      );
      const customer = { userId: randomUUID(), role: 'CUSTOMER' as const, sessionId: randomUUID() };
      const chef = { userId: randomUUID(), role: 'CHEF' as const, sessionId: randomUUID() };
      const placed = [];
      for (let index = 0; index < 60; index += 1) {
        placed.push(await orders.place(customer, { items: [{ dishId: menu[index % 20]!.id, quantity: 1 }, { dishId: menu[(index + 7) % 20]!.id, quantity: 2 }] }));
      }

      recorder.recording = true;
      await orders.place(customer, { items: [{ dishId: menu[0]!.id, quantity: 1 }], idempotencyKey: 'plans-1' });
      await orders.cancel(customer, placed[0]!.id);
      await orders.advance(chef, placed[1]!.id);
      await dishes.findMenu();
      await dishes.findAll({ includeUnavailable: true });
      await dishes.findOneVisible(chef, menu[0]!.id);
      await dishes.findByIds(menu.map((dish) => dish.id));
      await dishes.update(menu[1]!.id, { quantity: 500 });
      await orders.findOneVisible(customer, placed[2]!.id);
      await orders.findByIds(placed.slice(0, 20).map((order) => order.id));
      await orders.findItemsByOrderIds(placed.slice(0, 20).map((order) => order.id));
      for (const filter of [{}, { userId: customer.userId }, { status: 'WAITING' as const }, { status: 'DONE' as const }, { userId: customer.userId, status: 'WAITING' as const }]) {
        const first = await orders.findPage(filter, { first: 20 });
        await orders.findPage(filter, { first: 20, after: first.pageInfo.endCursor });
        await first.totalCount();
        // A page whose client shows its items and totals (the staff page, the kitchen board).
        await orders.findPage(filter, { first: 20 }, { withItems: true });
      }
      recorder.recording = false;
    } finally {
      await dataSource.destroy();
    }

    await withClient(databaseUrl(name), async (client) => {
      await client.query('VACUUM ANALYZE');
      for (const { sql, parameters } of recorder.statements.values()) {
        const explain = async () => (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${sql}`, parameters)).rows.map((row) => row['QUERY PLAN']);
        const plan = await explain();
        console.log(`\n${sql.replace(/\s+/g, ' ').trim()}`);
        for (const line of plan) console.log(`    ${line}`);
        if (plan.some((line) => line.includes('Seq Scan'))) {
          // A table of a few rows (the menu, the keys) is read whole; show the index the plan has when it is not.
          await client.query('SET enable_seqscan = off');
          console.log('  with enable_seqscan = off:');
          for (const line of await explain()) console.log(`    ${line}`);
          await client.query('RESET enable_seqscan');
        }
      }
    });
  } finally {
    await dropDatabase(name);
  }
}

await main();
