import { Closer, closeOnSignals, createLogger } from '@dishpatch/shared';
import { buildAuthApp } from './app.js';
import { loadAuthConfig } from './config.js';

const config = loadAuthConfig();
const logger = createLogger('auth-subgraph', config.LOG_LEVEL);
const app = await buildAuthApp(config, logger);
const migrations = await app.migrate();
if (migrations.length > 0) logger.info({ migrations }, 'migrations applied');
const port = await app.http.listen(config.AUTH_PORT);
logger.info({ port }, 'auth subgraph listening');

const closer = new Closer(logger);
closer.add('auth app', () => app.close());
closeOnSignals(closer, logger);
