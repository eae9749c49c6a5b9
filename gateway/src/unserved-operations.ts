import { GraphQLError, type ValidationRule } from 'graphql';

/**
 * Refuses a subscription operation at validation, as a client error (400,
 * GRAPHQL_VALIDATION_FAILED). graphql-js validates a subscription against a schema without a
 * Subscription type without complaint, and the gateway's query planner then throws, which
 * reached the client as a 500 and the log as an ERROR. Live updates (issue 11) will serve
 * subscriptions over transports of their own; until then no transport here serves them.
 */
export const noSubscriptionsRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation !== 'subscription') return;
    const name = node.name ? ` ${node.name.value}` : '';
    context.reportError(
      new GraphQLError(`Subscription${name}: subscriptions are not served over this transport yet; use a query or a mutation`, {
        nodes: [node],
      }),
    );
  },
});
