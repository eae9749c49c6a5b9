import { createLogger } from '@dishpatch/shared/observability';
import { loadOrdersConfig } from '../config.js';
import { createOrdersDataSource, runOrdersMigrations } from '@dishpatch/orders-core/data-source';

/** `npm run migrate -w orders-subgraph`: applies pending migrations to ORDERS_DATABASE_URL and exits. */
const config = loadOrdersConfig();
const logger = createLogger('orders-migrate', config.LOG_LEVEL);
const dataSource = createOrdersDataSource({ url: config.ORDERS_DATABASE_URL, poolSize: 2 });
await dataSource.initialize();
try {
  const applied = await runOrdersMigrations(dataSource);
  logger.info({ migrations: applied }, applied.length > 0 ? 'migrated' : 'already up to date');
} finally {
  await dataSource.destroy();
}
