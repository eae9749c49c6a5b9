import { runSubgraph } from '@dishpatch/shared/subgraph';
import { buildOrdersApp } from './app.js';
import { loadOrdersConfig } from './config.js';

await runSubgraph({
  name: 'orders-subgraph',
  loadConfig: () => loadOrdersConfig(),
  build: buildOrdersApp,
  port: (config) => config.ORDERS_PORT,
});
