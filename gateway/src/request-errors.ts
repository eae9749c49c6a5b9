import type { ApolloServerPlugin } from '@apollo/server';
import { BadUserInputError, createErrorFormatter } from '@dishpatch/shared/errors';
import type { Logger } from '@dishpatch/shared/observability';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { GatewayContext } from './context.js';

const PERSISTED_QUERY_HASH = 'extensions.persistedQuery.sha256Hash';

/**
 * Request-level errors that Apollo Server 5 raises without any `extensions.code`, by their
 * message (the only thing that tells them apart; the gateway's tests pin each one). Without a
 * code the shared formatter would mask them as INTERNAL_SERVER_ERROR and log them as
 * unexpected, though each is a mistake in what the client sent.
 *
 * A hash that does not match its query is BAD_USER_INPUT naming the hash: the contract's code
 * for input that fails validation. (The Apollo Router says PERSISTED_QUERY_HASH_MISMATCH,
 * which is not among the contract's codes; PERSISTED_QUERY_NOT_FOUND would make an APQ client
 * resend the same pair forever.)
 */
const CODELESS_APOLLO_ERRORS: ReadonlyMap<string, () => GraphQLError> = new Map([
  ['provided sha does not match query', () => new BadUserInputError(PERSISTED_QUERY_HASH, 'does not match the SHA-256 of the query sent with it')],
  ['Unsupported persisted query version', () => new BadUserInputError('extensions.persistedQuery.version', 'only version 1 is supported')],
]);

/**
 * The shared formatter, after giving Apollo's code-less request errors the code they deserve.
 * Apollo Server calls it without the request, so it logs nothing: `errorLogPlugin` logs the
 * same errors with the request's logger.
 */
export function createGatewayErrorFormatter() {
  const format = createErrorFormatter();
  return (formatted: GraphQLFormattedError, error: unknown, log?: Logger): GraphQLFormattedError => {
    const codeless = error instanceof GraphQLError && error.extensions['code'] === undefined;
    const replacement = codeless ? CODELESS_APOLLO_ERRORS.get(error.message)?.() : undefined;
    if (replacement === undefined) return format(formatted, error, log);
    return format(replacement.toJSON(), replacement, log);
  };
}

/**
 * Logs what the formatter hides from the client (an unexpected error in full, an unavailable
 * dependency), with the request's logger and so its request id: Apollo Server hands every
 * error of a response to `didEncounterErrors` with the request's context, which its
 * `formatError` does not get.
 */
export function errorLogPlugin(): ApolloServerPlugin<GatewayContext> {
  const format = createGatewayErrorFormatter();
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) format(error.toJSON(), error, contextValue.log);
        },
      };
    },
  };
}
