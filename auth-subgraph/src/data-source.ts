import { DataSource } from 'typeorm';
import { DEFAULT_DATABASE_TIMEOUTS, deadlinePostgresDriver, postgresPoolOptions, runMigrationsUnderLock, type DatabaseTimeouts } from '@dishpatch/shared/database';
import { CreateAuthSchema1764250000000 } from './migrations/1764250000000-create-auth-schema.js';
import { TokenCutoffsAndRotation1764900000000 } from './migrations/1764900000000-token-cutoffs-and-rotation.js';

/** Every process that migrates the auth database takes this advisory lock first. */
const MIGRATION_LOCK_NAME = 'dishpatch:auth:migrations';

export interface AuthDataSourceOptions {
  url: string;
  /** Pool size. Default 10. */
  poolSize?: number;
  /** Deadlines of every call (see `postgresPoolOptions`). Default DEFAULT_DATABASE_TIMEOUTS. */
  timeouts?: DatabaseTimeouts;
}

/**
 * The auth database. Migrations only, never `synchronize`; no entities either: the services
 * speak SQL (conditional updates, CTEs, advisory locks), with each table's mapping to its
 * record type in one place under `entities/`.
 */
export function createAuthDataSource(options: AuthDataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    migrations: [CreateAuthSchema1764250000000, TokenCutoffsAndRotation1764900000000],
    migrationsTransactionMode: 'each',
    synchronize: false,
    // gen_random_uuid() is built in; TypeORM must not try CREATE EXTENSION outside the migration lock.
    installExtensions: false,
    poolSize: options.poolSize ?? 10,
    driver: deadlinePostgresDriver,
    extra: postgresPoolOptions(options.timeouts ?? DEFAULT_DATABASE_TIMEOUTS),
    logging: false,
  });
}

/** Runs pending auth migrations, one process at a time; returns the names of those it ran. */
export function runAuthMigrations(dataSource: DataSource): Promise<string[]> {
  return runMigrationsUnderLock(dataSource, MIGRATION_LOCK_NAME);
}
