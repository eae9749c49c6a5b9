import { ConfigError } from '@dishpatch/shared/config';
import { Closer, closeOnSignals } from '@dishpatch/shared/lifecycle';
import { createLogger } from '@dishpatch/shared/observability';
import { buildAuthApp } from './app.js';
import { loadAuthConfig, type AuthConfig } from './config.js';

let config: AuthConfig;
try {
  config = loadAuthConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const logger = createLogger('auth-subgraph', config.LOG_LEVEL);
const closer = new Closer(logger);
closeOnSignals(closer, logger);
try {
  const app = await buildAuthApp(config, logger);
  closer.add('auth app', () => app.close());
  const migrations = await app.migrate();
  if (migrations.length > 0) logger.info({ migrations }, 'migrations applied');
  const port = await app.http.listen(config.AUTH_PORT);
  logger.info({ port }, 'auth subgraph listening');
} catch (error) {
  logger.fatal({ err: error }, 'auth subgraph could not start');
  await closer.close();
  process.exit(1);
}
