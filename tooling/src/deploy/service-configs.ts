/**
 * What each service reads from its environment, from the service's own config module: the
 * names it knows and its loader, so a deployment file is checked against the code that will
 * read it (a misspelt or stale variable, a bad value) rather than against a copy of the list.
 * Keyed by workspace, which is also the Dockerfile target and the image name.
 */
import { authConfigShape, loadAuthConfig } from '../../../auth-subgraph/src/config.js';
import { gatewayConfigShape, loadGatewayConfig } from '../../../gateway/src/config.js';
import { loadOrdersConfig, ordersConfigShape } from '../../../orders-subgraph/src/config.js';
import { loadWorkerConfig, workerConfigShape } from '../../../worker/src/config.js';

export interface ServiceConfig {
  /** Every variable the service reads. */
  variables: ReadonlySet<string>;
  /** Parses an environment as the service does at start; throws a ConfigError naming the variable. */
  load(environment: NodeJS.ProcessEnv): unknown;
}

export const SERVICE_CONFIGS: Record<string, ServiceConfig> = {
  gateway: { variables: new Set(Object.keys(gatewayConfigShape)), load: loadGatewayConfig },
  'auth-subgraph': { variables: new Set(Object.keys(authConfigShape)), load: loadAuthConfig },
  'orders-subgraph': { variables: new Set(Object.keys(ordersConfigShape)), load: loadOrdersConfig },
  worker: { variables: new Set(Object.keys(workerConfigShape)), load: loadWorkerConfig },
};

/** Variables the Node runtime itself reads: set in images and manifests, never in a config schema. */
export const RUNTIME_VARIABLES: ReadonlySet<string> = new Set(['NODE_ENV', 'NODE_OPTIONS', 'UV_THREADPOOL_SIZE', 'TZ']);
