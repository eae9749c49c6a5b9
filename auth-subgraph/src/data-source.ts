import { DataSource } from 'typeorm';
import { authEntities } from './entities/index.js';
import { CreateAuthSchema1764250000000 } from './migrations/1764250000000-create-auth-schema.js';

/** Arbitrary but fixed: every auth process takes this advisory lock before migrating. */
const MIGRATION_LOCK_KEY = 4_001_000_001;

export interface AuthDataSourceOptions {
  url: string;
  /** Pool size. Default 10. */
  poolSize?: number;
}

/** The auth database. Migrations only, never `synchronize`. */
export function createAuthDataSource(options: AuthDataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: authEntities,
    migrations: [CreateAuthSchema1764250000000],
    migrationsTransactionMode: 'each',
    synchronize: false,
    // gen_random_uuid() is built in; TypeORM must not try CREATE EXTENSION outside the migration lock.
    installExtensions: false,
    poolSize: options.poolSize ?? 10,
    logging: false,
  });
}

/**
 * Runs pending migrations while holding a session-level advisory lock on a connection of its
 * own, so two processes starting together migrate one after the other instead of racing.
 * Returns the names of the migrations it ran.
 */
export async function migrateAuthDatabase(dataSource: DataSource): Promise<string[]> {
  const lockRunner = dataSource.createQueryRunner();
  await lockRunner.connect();
  try {
    await lockRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const ran = await dataSource.runMigrations({ transaction: 'each' });
      return ran.map((migration) => migration.name);
    } finally {
      await lockRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lockRunner.release();
  }
}
