import type { DataSource } from 'typeorm';

/**
 * Runs pending migrations while holding a PostgreSQL advisory lock on a connection of its
 * own, so processes starting together (two replicas, a subgraph and a command) migrate one
 * after the other instead of racing on the same tables. The pool needs two connections or
 * more: the lock is held on one while the migrations run on another. Returns the names of
 * the migrations it ran.
 */
export async function runMigrationsUnderLock(dataSource: DataSource, lockName: string): Promise<string[]> {
  const lockHolder = dataSource.createQueryRunner();
  await lockHolder.connect();
  try {
    await lockHolder.query('SELECT pg_advisory_lock(hashtext($1))', [lockName]);
    try {
      const ran = await dataSource.runMigrations({ transaction: 'each' });
      return ran.map((migration) => migration.name);
    } finally {
      await lockHolder.query('SELECT pg_advisory_unlock(hashtext($1))', [lockName]);
    }
  } finally {
    await lockHolder.release();
  }
}
