import { createLogger } from '@dishpatch/shared/observability';
import { loadAuthConfig } from '../config.js';
import { createAuthDataSource, runAuthMigrations } from '../data-source.js';

/** `npm run migrate -w auth-subgraph`: brings the auth database to the latest schema. */
const config = loadAuthConfig();
const logger = createLogger('auth-subgraph', config.LOG_LEVEL);
const dataSource = createAuthDataSource({ url: config.AUTH_DATABASE_URL, poolSize: 2 });
try {
  await dataSource.initialize();
  const ran = await runAuthMigrations(dataSource);
  logger.info({ migrations: ran }, ran.length > 0 ? 'migrations applied' : 'database already up to date');
} catch (error) {
  logger.error({ err: error }, 'migration failed');
  process.exitCode = 1;
} finally {
  if (dataSource.isInitialized) await dataSource.destroy();
}
