import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GatewayConfig } from './config.js';

/**
 * Every limit on what one GraphQL request may ask for, in one place, enforced by GraphQL
 * Armor (and graphql-js's parser, for tokens) before any subgraph is called. The body-size
 * limit sits one layer lower, in the HttpService: it must hold before the body is parsed.
 *
 * Field suggestions ("Did you mean …") stay on: introspection is open for the playground,
 * so hiding them would protect nothing and only make typos harder to fix.
 */
export function requestGuards<TContext extends BaseContext>(config: GatewayConfig) {
  const armor = new ApolloArmor({
    maxDepth: { n: config.GATEWAY_MAX_DEPTH, ignoreIntrospection: true, exposeLimits: true },
    maxAliases: { n: config.GATEWAY_MAX_ALIASES, exposeLimits: true },
    maxDirectives: { n: config.GATEWAY_MAX_DIRECTIVES, exposeLimits: true },
    // Armor's token plugin re-parses inside Apollo's parsingDidStart hook, where any syntax
    // error becomes a 500; graphql-js's own token limit below fails the same way as any
    // unparsable query: a 400 with GRAPHQL_PARSE_FAILED.
    maxTokens: { enabled: false },
    costLimit: { maxCost: config.GATEWAY_MAX_COST, ignoreIntrospection: true, exposeLimits: true },
    blockFieldSuggestion: { enabled: false },
  });
  const { plugins, validationRules } = armor.protect();
  return {
    // Armor's plugins never read the context, so they fit a server of any context type.
    plugins: plugins as ApolloServerPlugin<TContext>[],
    validationRules,
    parseOptions: { maxTokens: config.GATEWAY_MAX_TOKENS },
    allowBatchedHttpRequests: config.GATEWAY_ALLOW_BATCHING,
  };
}
