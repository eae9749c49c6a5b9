import type { BaseContext } from '@apollo/server';
import { requestGuards as guardsFor } from '@dishpatch/shared/request-guards';
import type { GatewayConfig } from './config.js';

/** The gateway's limits on what a client may ask for (shared/src/request-guards.ts enforces them). */
export function requestGuards<TContext extends BaseContext>(config: GatewayConfig) {
  return guardsFor<TContext>({
    maxDepth: config.GATEWAY_MAX_DEPTH,
    maxAliases: config.GATEWAY_MAX_ALIASES,
    maxDirectives: config.GATEWAY_MAX_DIRECTIVES,
    maxTokens: config.GATEWAY_MAX_TOKENS,
    maxCost: config.GATEWAY_MAX_COST,
    allowBatching: config.GATEWAY_ALLOW_BATCHING,
  });
}
