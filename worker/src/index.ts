import { Closer, closeOnSignals, createLogger } from '@dishpatch/shared';
import { createWorkerApp } from './app.js';
import { loadWorkerConfig } from './config.js';

/**
 * On SIGTERM the worker finishes its current tick before exiting; a long backlog tick can
 * take a while, so the grace is generous. Killing it anyway is safe: every batch is atomic.
 */
const SHUTDOWN_GRACE_MS = 120_000;

const config = loadWorkerConfig();
const logger = createLogger('worker', config.LOG_LEVEL);
const app = createWorkerApp(config, logger);
const closer = new Closer(logger);
closer.add('worker app', () => app.close());
closeOnSignals(closer, logger, SHUTDOWN_GRACE_MS);

try {
  const port = await app.listen(config.WORKER_PORT);
  logger.info({ port }, 'worker health server listening');
  await app.start();
} catch (error) {
  logger.fatal({ err: error }, 'worker failed to start');
  await closer.close();
  process.exit(1);
}
