import { DataSource, type LoggerOptions, type Logger as TypeOrmLogger } from 'typeorm';
import { ordersEntities } from './entities/index.js';
import { CreateOrdersSchema1764240000000 } from './migrations/1764240000000-create-orders-schema.js';

export interface OrdersDataSourceOptions {
  url: string;
  /** Pool size. Default 10. */
  poolSize?: number;
  logging?: LoggerOptions;
  logger?: TypeOrmLogger;
}

/** The orders database, shared by the orders subgraph and the worker. Migrations only, never `synchronize`. */
export function createOrdersDataSource(options: OrdersDataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: ordersEntities,
    migrations: [CreateOrdersSchema1764240000000],
    migrationsTransactionMode: 'each',
    synchronize: false,
    poolSize: options.poolSize ?? 10,
    logging: options.logging ?? false,
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
