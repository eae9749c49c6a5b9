import type { LevelWithSilent, Logger } from 'pino';
import { ConfigError } from '../config.js';
import type { HttpService } from '../http/http-server.js';
import { Closer, closeOnSignals } from '../lifecycle.js';
import { createLogger } from '../observability/logger.js';

/** What `runService` needs of an app: one `close()` that undoes everything the app opened. */
export interface ClosableApp {
  close(): Promise<void>;
}

export interface ServiceDefinition<Config extends { LOG_LEVEL: LevelWithSilent }, App extends ClosableApp> {
  /** The logger's `service` and the name in start-up failures, e.g. `auth-subgraph`. */
  name: string;
  /** Parses the environment; throws ConfigError naming the variable on a bad value. */
  loadConfig: () => Config;
  /** Builds the app without serving. */
  build: (options: { config: Config; logger: Logger }) => Promise<App>;
  /** Makes the built app serve (migrate, listen, start consuming). */
  start: (app: App, options: { config: Config; logger: Logger }) => Promise<void>;
  /** How long a signal waits for `close()` before exiting anyway. Default 10 s. */
  shutdownGraceMs?: number;
}

/**
 * The whole life of a service process, for its `index.ts`: loads the config (a bad value prints
 * the message naming the variable and exits 1), builds and starts the app (a failure is logged
 * as fatal, whatever was opened is closed, exit 1), and closes it on SIGINT/SIGTERM.
 */
export async function runService<Config extends { LOG_LEVEL: LevelWithSilent }, App extends ClosableApp>(
  definition: ServiceDefinition<Config, App>,
): Promise<void> {
  let config: Config;
  try {
    config = definition.loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  const logger = createLogger(definition.name, config.LOG_LEVEL);
  const closer = new Closer(logger);
  closeOnSignals(closer, logger, definition.shutdownGraceMs);
  try {
    const app = await definition.build({ config, logger });
    closer.add(definition.name, () => app.close());
    await definition.start(app, { config, logger });
  } catch (error) {
    if (error instanceof ConfigError) console.error(error.message);
    logger.fatal({ err: error }, `${definition.name} could not start`);
    await closer.close();
    process.exit(1);
  }
}

/** A subgraph as `runSubgraph` starts it: migrations first, then HTTP. */
export interface SubgraphApp extends ClosableApp {
  http: Pick<HttpService<never>, 'listen'>;
  /** Brings the database to the latest schema (under an advisory lock); returns the migrations run. */
  migrate(): Promise<string[]>;
}

export interface SubgraphDefinition<Config extends { LOG_LEVEL: LevelWithSilent; LISTEN_HOST: string }, App extends SubgraphApp>
  extends Omit<ServiceDefinition<Config, App>, 'start'> {
  /** The port to listen on, from the config (e.g. AUTH_PORT). */
  port: (config: Config) => number;
}

/** `runService` for a subgraph: migrate, then listen on its port; both subgraphs start alike. */
export function runSubgraph<Config extends { LOG_LEVEL: LevelWithSilent; LISTEN_HOST: string }, App extends SubgraphApp>(
  definition: SubgraphDefinition<Config, App>,
): Promise<void> {
  return runService({
    ...definition,
    start: async (app, { config, logger }) => {
      const migrations = await app.migrate();
      if (migrations.length > 0) logger.info({ migrations }, 'migrations applied');
      const port = await app.http.listen(definition.port(config), config.LISTEN_HOST);
      logger.info({ port, host: config.LISTEN_HOST }, `${definition.name} listening`);
    },
  });
}
