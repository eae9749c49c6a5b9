import { Closer, closeOnSignals } from '@dishpatch/shared/lifecycle';
import { createLogger } from '@dishpatch/shared/observability';
import { buildOrdersApp } from './app.js';
import { loadOrdersConfig } from './config.js';
import { runOrdersMigrations } from '@dishpatch/orders-core/data-source';

const config = loadOrdersConfig();
const logger = createLogger('orders-subgraph', config.LOG_LEVEL);
const app = await buildOrdersApp({ config, logger });
const closer = new Closer(logger);
closer.add('orders subgraph', () => app.close());
closeOnSignals(closer, logger);
const applied = await runOrdersMigrations(app.dataSource);
if (applied.length > 0) logger.info({ migrations: applied }, 'migrated');
const port = await app.http.listen(config.ORDERS_PORT);
logger.info({ port }, 'orders subgraph listening');
