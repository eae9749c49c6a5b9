import { commonConfigShape, env, loadConfig, sharedSecretConfigShape, subgraphLimitsConfigShape } from '@dishpatch/shared/config';
import { databaseTimeoutsConfigShape, databaseTimeoutsFrom } from '@dishpatch/shared/database';

/** The orders subgraph's environment, parsed once at start; a bad value names its variable. */
export const ordersConfigShape = {
  ...commonConfigShape,
  ...sharedSecretConfigShape,
  ...subgraphLimitsConfigShape,
  ORDERS_PORT: env.port(4002),
  ORDERS_DATABASE_URL: env.url('postgres://postgres:postgres@127.0.0.1:54329/dishpatch_orders', ['postgres:', 'postgresql:']),
  /** Connections in the pool. */
  ORDERS_DATABASE_POOL_SIZE: env.positiveInt(10, 200),
  ...databaseTimeoutsConfigShape,
  /** The gateway's deadline for this subgraph: only read to check that the database deadlines end before it. */
  GATEWAY_SUBGRAPH_TIMEOUT_MS: env.positiveInt(10_000, 600_000),
  AUTH_JWKS_URL: env.url('http://127.0.0.1:4001/.well-known/jwks.json', ['http:', 'https:']),
};

export type OrdersConfig = ReturnType<typeof loadOrdersConfig>;

export function loadOrdersConfig(environment: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(ordersConfigShape, environment);
  const databaseTimeouts = databaseTimeoutsFrom(config, { variable: 'GATEWAY_SUBGRAPH_TIMEOUT_MS', ms: config.GATEWAY_SUBGRAPH_TIMEOUT_MS });
  return { ...config, databaseTimeouts };
}
