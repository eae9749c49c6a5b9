import { Closer, closeOnSignals, createLogger } from '@dishpatch/shared';
import { buildGateway } from './app.js';
import { loadGatewayConfig } from './config.js';

const config = loadGatewayConfig();
const logger = createLogger('gateway', config.LOG_LEVEL);
const closer = new Closer(logger);
closeOnSignals(closer, logger);

const app = await buildGateway({ config, logger });
closer.add('gateway', () => app.close());
const port = await app.http.listen(config.GATEWAY_PORT);
logger.info({ port, subgraphs: app.subgraphUrls }, `gateway listening on http://127.0.0.1:${port}/graphql`);
