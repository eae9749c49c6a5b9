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

/**
 * The subgraphs' own limits (SUBGRAPH_MAX_*, the same settings the subgraphs read), less a fifth
 * kept for the keys and `__typename`s the query planner adds to a fetch: a batch of live-event
 * queries (live/event-batches.ts) holds as many orders as stays under them, so the subgraphs'
 * second line never refuses the gateway's own fetch.
 */
export function subgraphFetchGuards<TContext extends BaseContext>(config: GatewayConfig) {
  const headroom = (limit: number) => Math.max(1, Math.floor(limit * 0.8));
  return guardsFor<TContext>({
    maxDepth: config.SUBGRAPH_MAX_DEPTH,
    maxAliases: headroom(config.SUBGRAPH_MAX_ALIASES),
    maxDirectives: headroom(config.SUBGRAPH_MAX_DIRECTIVES),
    maxTokens: headroom(config.SUBGRAPH_MAX_TOKENS),
    maxCost: headroom(config.SUBGRAPH_MAX_COST),
    allowBatching: false,
  });
}
