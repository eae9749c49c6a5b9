import { Counter } from 'prom-client';
import type { Logger as TypeOrmLogger } from 'typeorm';
import type { HttpService } from '@dishpatch/shared/http';
import { ServiceMetrics, type Logger } from '@dishpatch/shared/observability';
import { buildClosable, buildSubgraphHttp, connectTokenVerification, createContextFactory, readSubgraphSchema } from '@dishpatch/shared/subgraph';
import type { OrdersConfig } from './config.js';
import { createLoaders, type OrdersContext, type OrdersServices } from './context.js';
import { createOrdersDataSource, runOrdersMigrations } from '@dishpatch/orders-core/data-source';
import { DishService } from '@dishpatch/orders-core/dishes';
import { OrderService } from '@dishpatch/orders-core/orders';
import { resolvers } from './resolvers/index.js';

const typeDefs = readSubgraphSchema(new URL('./schema.graphql', import.meta.url));

export interface OrdersAppOptions {
  config: OrdersConfig;
  logger: Logger;
  /** Sees every SQL statement (tests count them). */
  databaseLogger?: TypeOrmLogger;
}

export interface OrdersApp {
  http: HttpService<OrdersContext>;
  /** The orders database, for commands and tests that inspect what was written. */
  dataSource: ReturnType<typeof createOrdersDataSource>;
  metrics: ServiceMetrics;
  /** Brings the database to the latest schema (under an advisory lock); returns the migrations run. */
  migrate(): Promise<string[]>;
  /** Stops the server, Redis and the database in that order; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Builds the orders subgraph without listening: `index.ts` migrates and listens on
 * ORDERS_PORT, tests on port 0. Tokens are verified with the keys fetched from auth's JWKS.
 */
export function buildOrdersApp(options: OrdersAppOptions): Promise<OrdersApp> {
  const { config, logger } = options;
  return buildClosable(logger, async (closer) => {
    const dataSource = createOrdersDataSource({
      url: config.ORDERS_DATABASE_URL,
      poolSize: config.ORDERS_DATABASE_POOL_SIZE,
      timeouts: config.databaseTimeouts,
      ...(options.databaseLogger ? { logger: options.databaseLogger } : {}),
    });
    await dataSource.initialize();
    closer.add('database', () => dataSource.destroy());

    const { redis, verifier } = connectTokenVerification({
      redisUrl: config.REDIS_URL,
      redisPrefix: config.REDIS_PREFIX,
      keys: { jwksUrl: config.AUTH_JWKS_URL },
      logger,
      closer,
    });

    const metrics = new ServiceMetrics('orders-subgraph');
    const transactionRetries = new Counter({
      name: 'orders_transaction_retries_total',
      help: 'Transactions run again after a deadlock or serialization failure',
      registers: [metrics.registry],
    });

    const services: OrdersServices = {
      dishes: new DishService(dataSource),
      orders: new OrderService(dataSource, { onTransactionRetry: () => transactionRetries.inc() }),
    };

    const http = buildSubgraphHttp<OrdersContext>({
      boundary: config,
      typeDefs,
      resolvers,
      context: createContextFactory({ verifier, services, createLoaders }),
      logger,
      metrics,
      closer,
      readinessChecks: { database: () => dataSource.query('SELECT 1'), redis: () => redis.ping() },
    });

    return { http, dataSource, metrics, migrate: () => runOrdersMigrations(dataSource) };
  });
}
