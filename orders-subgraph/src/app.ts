import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { Counter } from 'prom-client';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { createErrorFormatter } from '@dishpatch/shared/errors';
import { HttpService, healthRoutes } from '@dishpatch/shared/http';
import { Closer } from '@dishpatch/shared/lifecycle';
import { ServiceMetrics, type Logger } from '@dishpatch/shared/observability';
import { RedisConnections } from '@dishpatch/shared/redis';
import { SessionRevocationList, TokenVerifier } from '@dishpatch/shared/tokens';
import type { OrdersConfig } from './config.js';
import { createContextFactory, type OrdersContext } from './context.js';
import { createOrdersDataSource } from './data-source.js';
import { DishService } from './dishes/dish-service.js';
import { OrderService } from './orders/order-service.js';
import { resolvers } from './resolvers/index.js';

const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

export interface OrdersAppOptions {
  config: OrdersConfig;
  logger: Logger;
  /** Sees every SQL statement (tests count them). */
  databaseLogger?: TypeOrmLogger;
}

export interface OrdersApp {
  http: HttpService<OrdersContext>;
  dataSource: ReturnType<typeof createOrdersDataSource>;
  metrics: ServiceMetrics;
  close(): Promise<void>;
}

/**
 * Builds the orders subgraph without listening: database, Redis (revocation list), token
 * verifier, services, Apollo and the HTTP layer. `index.ts` migrates and listens; tests
 * listen on port 0. `close()` undoes it in reverse order and is safe to call twice.
 */
export async function buildOrdersApp(options: OrdersAppOptions): Promise<OrdersApp> {
  const { config, logger } = options;
  const closer = new Closer(logger);
  try {
    const dataSource = createOrdersDataSource({
      url: config.ORDERS_DATABASE_URL,
      poolSize: config.ORDERS_DATABASE_POOL_SIZE,
      ...(options.databaseLogger ? { logger: options.databaseLogger } : {}),
    });
    await dataSource.initialize();
    closer.add('database', () => dataSource.destroy());

    const redisConnections = new RedisConnections(config.REDIS_URL, logger);
    closer.add('redis', () => redisConnections.close());
    const redis = redisConnections.open('commands');
    const subscriber = redisConnections.open('revocation subscriber');
    const revocations = new SessionRevocationList(redis, subscriber, config.REDIS_PREFIX, logger);
    closer.add('revocation list', () => revocations.close());
    const verifier = new TokenVerifier({ jwksUrl: config.AUTH_JWKS_URL, isSessionRevoked: (sessionId) => revocations.isRevoked(sessionId), logger });

    const metrics = new ServiceMetrics('orders-subgraph');
    const transactionRetries = new Counter({
      name: 'orders_transaction_retries_total',
      help: 'Transactions run again after a deadlock or serialization failure',
      registers: [metrics.registry],
    });
    const services = {
      dishes: new DishService(dataSource),
      orders: new OrderService(dataSource, { onTransactionRetry: () => transactionRetries.inc() }),
    };

    const apollo = new ApolloServer<OrdersContext>({
      schema: buildSubgraphSchema({ typeDefs, resolvers }),
      formatError: createErrorFormatter(logger),
      includeStacktraceInErrorResponses: false,
      // Inline traces feed Apollo's hosted studio, which this deployment does not use.
      plugins: [ApolloServerPluginInlineTraceDisabled()],
      stopOnTerminationSignals: false, // closeOnSignals drains and exits 0; Apollo's handler would re-send the signal (exit 1)
    });
    await apollo.start();
    closer.add('apollo', () => apollo.stop());

    const http = new HttpService<OrdersContext>({
      apollo,
      context: createContextFactory(verifier, services),
      logger,
      metrics,
      routes: healthRoutes({
        checks: { database: () => dataSource.query('SELECT 1'), redis: () => redis.ping() },
        metrics,
        logger,
      }),
    });
    closer.add('http server', () => http.close());
    return { http, dataSource, metrics, close: () => closer.close() };
  } catch (error) {
    await closer.close();
    throw error;
  }
}
