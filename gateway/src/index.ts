import cluster from 'node:cluster';
import { Closer, closeOnSignals } from '@dishpatch/shared/lifecycle';
import { createLogger } from '@dishpatch/shared/observability';
import { buildGateway } from './app.js';
import { loadGatewayConfig } from './config.js';
import { closeWhenPrimaryAsks, superviseClusterProcesses } from './cluster-supervisor.js';

const config = loadGatewayConfig();
const logger = createLogger('gateway', config.LOG_LEVEL);

if (config.GATEWAY_WORKERS > 1 && cluster.isPrimary) {
  superviseClusterProcesses(config.GATEWAY_WORKERS, logger);
} else {
  const closer = new Closer(logger);
  closeOnSignals(closer, logger);
  if (cluster.isWorker) closeWhenPrimaryAsks(closer);

  const app = await buildGateway({ config, logger });
  closer.add('gateway', () => app.close());
  const port = await app.http.listen(config.GATEWAY_PORT);
  const metricsPort = await app.metricsHttp.listen(config.GATEWAY_METRICS_PORT, config.GATEWAY_METRICS_HOST);
  logger.info(
    { port, metrics: `${config.GATEWAY_METRICS_HOST}:${metricsPort}`, subgraphs: app.subgraphUrls },
    `gateway listening on http://127.0.0.1:${port}/graphql`,
  );
}
