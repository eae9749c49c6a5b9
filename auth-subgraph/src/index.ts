import { runSubgraph } from '@dishpatch/shared/subgraph';
import { buildAuthApp } from './app.js';
import { loadAuthConfig } from './config.js';

await runSubgraph({
  name: 'auth-subgraph',
  loadConfig: () => loadAuthConfig(),
  build: buildAuthApp,
  port: (config) => config.AUTH_PORT,
});
