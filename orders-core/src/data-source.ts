import { DataSource, type LoggerOptions, type Logger as TypeOrmLogger } from 'typeorm';
import { DEFAULT_DATABASE_TIMEOUTS, deadlinePostgresDriver, postgresPoolOptions, runMigrationsUnderLock, type DatabaseTimeouts } from '@dishpatch/shared/database';
import { ordersEntities } from './entities/index.js';
import { CreateOrdersSchema1764240000000 } from './migrations/1764240000000-create-orders-schema.js';
import { AddOrderIdempotencyKeys1764260000000 } from './migrations/1764260000000-add-order-idempotency-keys.js';
import { LiveEventsSource1764930000000 } from './migrations/1764930000000-live-events-source.js';
import { LighterOrderHistory1765010000000 } from './migrations/1765010000000-lighter-order-history.js';
import { StatusHistoryOnTheOrder1765100000000 } from './migrations/1765100000000-status-history-on-the-order.js';

export interface OrdersDataSourceOptions {
  url: string;
  /** Pool size. Default 10. */
  poolSize?: number;
  /** Deadlines of every call (see `postgresPoolOptions`). Default DEFAULT_DATABASE_TIMEOUTS. */
  timeouts?: DatabaseTimeouts;
  logging?: LoggerOptions;
  logger?: TypeOrmLogger;
}

/** The orders database, shared by the orders subgraph and the worker. Migrations only, never `synchronize`. */
export function createOrdersDataSource(options: OrdersDataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: ordersEntities,
    migrations: [CreateOrdersSchema1764240000000, AddOrderIdempotencyKeys1764260000000, LiveEventsSource1764930000000, LighterOrderHistory1765010000000, StatusHistoryOnTheOrder1765100000000],
    migrationsTransactionMode: 'each',
    synchronize: false,
    // gen_random_uuid() is built in; TypeORM must not try CREATE EXTENSION outside the migration lock.
    installExtensions: false,
    poolSize: options.poolSize ?? 10,
    driver: deadlinePostgresDriver,
    extra: postgresPoolOptions(options.timeouts ?? DEFAULT_DATABASE_TIMEOUTS),
    logging: options.logging ?? false,
    ...(options.logger ? { logger: options.logger } : {}),
  });
}

/** Every process that migrates the orders database takes this advisory lock first. */
const MIGRATION_LOCK_NAME = 'dishpatch:orders:migrations';

/**
 * Runs pending orders migrations, one process at a time (the subgraph's replicas and the
 * migrate command may start together); returns the names of those it ran.
 */
export function runOrdersMigrations(dataSource: DataSource): Promise<string[]> {
  return runMigrationsUnderLock(dataSource, MIGRATION_LOCK_NAME);
}
