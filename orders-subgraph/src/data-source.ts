import { DataSource, type LoggerOptions, type Logger as TypeOrmLogger, type Migration } from 'typeorm';
import { ordersEntities } from './entities/index.js';
import { CreateOrdersSchema1764240000000 } from './migrations/1764240000000-create-orders-schema.js';

export interface OrdersDataSourceOptions {
  url: string;
  /** Pool size. Default 10. */
  poolSize?: number;
  logging?: LoggerOptions;
  logger?: TypeOrmLogger;
}

/** The orders database, shared by the orders subgraph and the worker. Migrations only, never `synchronize`. */
export function createOrdersDataSource(options: OrdersDataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: ordersEntities,
    migrations: [CreateOrdersSchema1764240000000],
    migrationsTransactionMode: 'each',
    synchronize: false,
    // gen_random_uuid() is built in; TypeORM must not try CREATE EXTENSION outside the migration lock.
    installExtensions: false,
    poolSize: options.poolSize ?? 10,
    logging: options.logging ?? false,
    ...(options.logger ? { logger: options.logger } : {}),
  });
}

/** Any constant shared by every process that migrates the orders database. */
const MIGRATION_LOCK_KEY = 'dishpatch:orders:migrations';

/**
 * Runs pending migrations while holding a PostgreSQL advisory lock, so the subgraph and the
 * worker starting together migrate once instead of racing on the same tables. Needs a pool of
 * two or more: the lock is held on one connection while the migrations run on another.
 */
export async function runOrdersMigrations(dataSource: DataSource): Promise<Migration[]> {
  const lockHolder = dataSource.createQueryRunner();
  await lockHolder.connect();
  try {
    await lockHolder.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK_KEY]);
    try {
      return await dataSource.runMigrations();
    } finally {
      await lockHolder.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lockHolder.release();
  }
}
