import type { Server } from 'node:http';
import { GraphQLError, type ExecutionResult, type FormattedExecutionResult, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { GatewayContext } from '../context.js';
import type { LiveStream } from './live-stream.js';
import type { LiveSubscriptions } from './live-subscriptions.js';
import type { ParsedRequests } from './subscription-operation.js';

export interface WebSocketTransportOptions {
  server: Server;
  path: string;
  live: LiveSubscriptions;
  schema: () => GraphQLSchema;
  executeOnce: (body: Record<string, unknown>, context: GatewayContext) => Promise<FormattedExecutionResult>;
  contextFor: (request: import('node:http').IncomingMessage, authorization: string | undefined) => GatewayContext;
  maxSubscriptionsPerConnection: number;
  heartbeatMs: number;
  requests: ParsedRequests;
  /** Bytes a socket may have unsent before its subscription is dropped as too slow. Default 1 MiB. */
  maxBufferedBytes?: number;
}

/** What onSubscribe hands on to `subscribe`/`execute` through graphql-ws's contextValue. */
type Prepared = { stream: LiveStream; socket: { bufferedAmount: number } } | { once: Promise<FormattedExecutionResult> };

/** `authorization` (any case) in the connection_init payload, where browser clients put their token. */
function authorizationFromParams(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  for (const [name, value] of Object.entries(params ?? {})) {
    if (name.toLowerCase() === 'authorization' && typeof value === 'string' && value.trim() !== '') return value;
  }
  return undefined;
}

/**
 * graphql-transport-ws (graphql-ws 6 on ws 8) at /graphql on the gateway's own HTTP server.
 * Subscriptions run through LiveSubscriptions; a query or mutation sent over the socket runs
 * through Apollo like an HTTP one. Pings every heartbeatMs; at most
 * maxSubscriptionsPerConnection at once per socket.
 */
export function serveWebSocket(options: WebSocketTransportOptions): { close(): Promise<void> } {
  const maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
  const wss = new WebSocketServer({ server: options.server, path: options.path, maxPayload: 100_000 });
  const disposable = useServer(
    {
      onSubscribe: async (ctx, _id, payload) => {
        // Every operation on this socket, this one included, running or still in onSubscribe:
        // graphql-ws marks one as running only after onSubscribe, so a burst would pass a count of those.
        const active = Object.keys(ctx.subscriptions).length - 1;
        if (active >= options.maxSubscriptionsPerConnection) {
          return [new GraphQLError(`At most ${options.maxSubscriptionsPerConnection} operations at once on one connection`, { extensions: { code: 'RATE_LIMITED' } })];
        }
        const authorization = authorizationFromParams(ctx.connectionParams) ?? ctx.extra.request.headers.authorization;
        const context = options.contextFor(ctx.extra.request, authorization);
        const parsed = options.requests.parse(payload.query, payload.operationName ?? undefined);
        if (parsed.kind === 'invalid') return [parsed.error];
        const prepared: Prepared =
          parsed.kind === 'subscription'
            ? { stream: await options.live.subscribe({ operation: parsed.operation, variables: payload.variables ?? {}, context }), socket: ctx.extra.socket }
            : { once: options.executeOnce({ ...payload }, context) };
        return { schema: options.schema(), document: parsed.document, operationName: payload.operationName ?? null, variableValues: payload.variables ?? null, contextValue: prepared };
      },
      execute: async (args) => {
        const prepared = args.contextValue as Prepared;
        if (!('once' in prepared)) return { errors: [new GraphQLError('Not a query or mutation')] };
        return withErrorObjects(await prepared.once);
      },
      subscribe: (args) => {
        const prepared = args.contextValue as Prepared;
        if (!('stream' in prepared)) return { errors: [new GraphQLError('Not a subscription')] };
        const { stream, socket } = prepared;
        // ws buffers what the peer does not read: past the bound, drop the subscription instead.
        const results = resultsOf(stream, () => socket.bufferedAmount > maxBufferedBytes);
        // graphql-ws calls return() when the client completes or the socket closes; an async
        // generator waiting for the stream's next message would queue that call until one came
        // (never, for a quiet subscription), keeping the subscription: end the stream first.
        const returnResults = results.return.bind(results);
        results.return = (value) => {
          stream.cancel();
          return returnResults(value);
        };
        return results as AsyncGenerator<ExecutionResult>;
      },
    },
    wss,
    options.heartbeatMs,
  );
  return {
    async close() {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** The stream's results as graphql-ws reads them; its `return()` (the client completed) ends the subscription. */
async function* resultsOf(stream: LiveStream, tooSlow: () => boolean): AsyncGenerator<ExecutionResult> {
  try {
    for await (const message of stream) {
      if (tooSlow()) {
        yield { errors: [new GraphQLError('This client reads its subscription too slowly and was dropped; subscribe again', { extensions: { code: 'SERVICE_UNAVAILABLE' } })] };
        return;
      }
      yield withErrorObjects(message.result);
    }
  } finally {
    stream.cancel();
  }
}

/**
 * graphql-ws serializes each error with its `toJSON()`: the already formatted errors (what
 * Apollo's formatter let through) become GraphQLErrors again, carrying the same fields.
 */
function withErrorObjects(result: FormattedExecutionResult): ExecutionResult {
  if (!result.errors) return result as ExecutionResult;
  const errors = result.errors.map((formatted) => {
    const error = new GraphQLError(formatted.message, { path: formatted.path, extensions: formatted.extensions });
    if (formatted.locations) Object.defineProperty(error, 'locations', { value: formatted.locations });
    return error;
  });
  return { ...result, errors } as ExecutionResult;
}
