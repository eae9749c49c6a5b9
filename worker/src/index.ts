import { ConfigError } from '@dishpatch/shared/config';
import { Closer, closeOnSignals } from '@dishpatch/shared/lifecycle';
import { createLogger } from '@dishpatch/shared/observability';
import { createWorkerApp } from './app.js';
import { loadWorkerConfig, type WorkerConfig } from './config.js';

/**
 * On SIGTERM the worker finishes its current tick before exiting; a tick over a long backlog
 * can take a while, so the grace is generous. Killing it anyway is safe: every batch is atomic.
 */
const SHUTDOWN_GRACE_MS = 120_000;

let config: WorkerConfig;
try {
  config = loadWorkerConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const logger = createLogger('worker', config.LOG_LEVEL);
const closer = new Closer(logger);
closeOnSignals(closer, logger, SHUTDOWN_GRACE_MS);
try {
  const app = createWorkerApp(config, logger);
  closer.add('worker app', () => app.close());
  const port = await app.listen(config.WORKER_PORT, config.LISTEN_HOST);
  logger.info({ port }, 'worker health server listening');
  await app.start();
} catch (error) {
  logger.fatal({ err: error }, 'worker could not start');
  await closer.close();
  process.exit(1);
}
