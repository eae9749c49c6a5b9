/**
 * What each service reads from its environment, found by running the service's own loader on
 * a recording environment: a deployment file is checked against the code that will read it (a
 * misspelt or stale variable, a bad value) rather than against a copy of the list. Keyed by
 * workspace, which is also the Dockerfile target and the image name.
 */
import { loadAuthConfig } from '../../../auth-subgraph/src/config.js';
import { loadGatewayConfig } from '../../../gateway/src/config.js';
import { loadOrdersConfig } from '../../../orders-subgraph/src/config.js';
import { loadWorkerConfig } from '../../../worker/src/config.js';

export type ConfigLoader = (environment: NodeJS.ProcessEnv) => object;

export const SERVICE_CONFIG_LOADERS: Record<string, ConfigLoader> = {
  gateway: loadGatewayConfig,
  'auth-subgraph': loadAuthConfig,
  'orders-subgraph': loadOrdersConfig,
  worker: loadWorkerConfig,
};

/** Loads a config from `environment` (throwing its ConfigError on a bad value), recording which variables it reads. */
export function readConfig(load: ConfigLoader, environment: Record<string, string>) {
  const read = new Set<string>();
  const recording = new Proxy({ ...environment } as NodeJS.ProcessEnv, {
    get(target, key) {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key);
    },
  });
  return { config: load(recording) as Record<string, unknown>, read };
}
