import { GraphQLError, type ValidationRule } from 'graphql';

/**
 * Refuses a subscription operation at validation, as a client error (400,
 * GRAPHQL_VALIDATION_FAILED). graphql-js validates a subscription against a schema without a
 * Subscription type without complaint, and the gateway's query planner then throws, which
 * reached the client as a 500 and the log as an ERROR. Subscriptions are served by the live
 * transports (gateway/src/live/): multipart HTTP and SSE, picked by the Accept header before a
 * request reaches Apollo, and WebSocket. A subscription that gets here came in a plain request.
 */
export const noSubscriptionsRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation !== 'subscription') return;
    const name = node.name ? ` ${node.name.value}` : '';
    context.reportError(
      new GraphQLError(`Subscription${name}: a plain JSON request cannot carry a subscription. Send it with "Accept: multipart/mixed;subscriptionSpec=1.0" (Apollo Client's HttpLink) or "Accept: text/event-stream" (graphql-sse), or over WebSocket (graphql-transport-ws) at this path`, {
        nodes: [node],
      }),
    );
  },
});
