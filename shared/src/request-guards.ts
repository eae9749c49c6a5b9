import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';

/** What one GraphQL request may ask for; the gateway and each subgraph set their own. */
export interface RequestLimits {
  /** Deepest selection. */
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** Lexical tokens per document; bounds parsing work before anything else runs. */
  maxTokens: number;
  /** GraphQL Armor's estimated cost: objects 2, scalars 1, times 1.5 per level, times a literal `first`. */
  maxCost: number;
  /** Arrays of operations in one POST. */
  allowBatching: boolean;
}

/**
 * Every limit on what one GraphQL request may ask for, in one place, enforced by GraphQL
 * Armor (and graphql-js's parser, for tokens) before any resolver runs. The gateway applies
 * them to clients; each subgraph applies its own, looser set as a second line, for a request
 * that reaches it some other way. The body-size limit sits one layer lower, in the
 * HttpService: it must hold before the body is parsed.
 *
 * Field suggestions ("Did you mean …") stay on: introspection is open for the playground,
 * so hiding them would protect nothing and only make typos harder to fix.
 */
export function requestGuards<TContext extends BaseContext>(limits: RequestLimits) {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, exposeLimits: true },
    maxAliases: { n: limits.maxAliases, exposeLimits: true },
    maxDirectives: { n: limits.maxDirectives, exposeLimits: true },
    // Armor's token plugin re-parses inside Apollo's parsingDidStart hook, where any syntax
    // error becomes a 500; graphql-js's own token limit below fails the same way as any
    // unparsable query: a 400 with GRAPHQL_PARSE_FAILED.
    maxTokens: { enabled: false },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true, exposeLimits: true },
    blockFieldSuggestion: { enabled: false },
  });
  const { plugins, validationRules } = armor.protect();
  return {
    // Armor's plugins never read the context, so they fit a server of any context type.
    plugins: plugins as ApolloServerPlugin<TContext>[],
    validationRules,
    parseOptions: { maxTokens: limits.maxTokens },
    allowBatchedHttpRequests: limits.allowBatching,
  };
}
