// First: Apollo Gateway must load @apollo/federation-internals' plain exports (see there).
import './plain-federation-exports.js';
import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { RedisConnections } from '@dishpatch/shared/redis';
import { SessionRevocationList, TokenVerifier } from '@dishpatch/shared/tokens';
import { GraphQLError, parse, specifiedRules, validate, type FormattedExecutionResult, type GraphQLSchema } from 'graphql';
import { requireSharedSecret } from '@dishpatch/shared/config';
import { DependencyNotReady, HttpService, answerWithApollo, healthRoutes, type ReadinessCheck } from '@dishpatch/shared/http';
import { ServiceMetrics, requestIdFrom, requestLogger, type Logger } from '@dishpatch/shared/observability';
import type { GatewayConfig } from './config.js';
import { gatewayContextFrom, type GatewayContext } from './context.js';
import { requestGuards, subgraphFetchGuards } from './guards.js';
import { operationResolutionPlugin } from './operation-resolution.js';
import { createGatewayErrorFormatter, errorLogPlugin } from './request-errors.js';
import { noSubscriptionsRule } from './unserved-operations.js';
import { liveHttpHandler } from './live/http-transports.js';
import { LiveEventFeed } from './live/live-event-feed.js';
import { LiveSubscriptions } from './live/live-subscriptions.js';
import { ParsedRequests } from './live/subscription-operation.js';
import { serveWebSocket } from './live/websocket-transport.js';
import { playgroundRoutes } from './playground/playground.js';
import { webAppRoutes } from './web-app.js';
import { sharingIdenticalQueries } from './shared-query-answers.js';
import { createSubgraphFetcher, SubgraphDataSource } from './subgraph-data-source.js';
import { ViewerWrites, viewerWritesPlugin } from './viewer-writes.js';
import { readSupergraphConfig, SUPERGRAPH_CONFIG_PATH, SUPERGRAPH_SDL_PATH, type SupergraphConfig } from './supergraph-config.js';

const GRAPHQL_PATH = '/graphql';

export interface GatewayApp {
  /** GraphQL, the playground, the web app, /health and /ready: the public port. */
  http: HttpService<GatewayContext>;
  /** Prometheus /metrics only, on a port of its own (GATEWAY_METRICS_PORT), kept off the public one. */
  metricsHttp: HttpService<GatewayContext>;
  /** Where each subgraph is reached, after environment overrides. */
  subgraphUrls: Record<string, string>;
  /** Live subscriptions this process holds now (each one's queue and timers are released when it leaves this count). */
  readonly liveSubscriptions: number;
  close(): Promise<void>;
}

export interface BuildGatewayOptions {
  config: GatewayConfig;
  logger: Logger;
  /** Defaults to the committed supergraph.graphql. */
  supergraphSdl?: string;
  /** Defaults to supergraph.yaml: the routing URLs the environment may override. */
  supergraphConfig?: SupergraphConfig;
  /** Defaults to web/dist, where `npm run build -w web` writes the app served at /app/. */
  webAppBuildDir?: string;
}

/** supergraph.yaml's routing_url for each subgraph, unless `<NAME>_SUBGRAPH_URL` says otherwise. */
export function resolveSubgraphUrls(config: GatewayConfig, supergraphConfig: SupergraphConfig): Record<string, string> {
  const overrides: Record<string, string | undefined> = {
    auth: config.AUTH_SUBGRAPH_URL,
    orders: config.ORDERS_SUBGRAPH_URL,
  };
  return Object.fromEntries(
    supergraphConfig.subgraphs.map((subgraph) => [subgraph.name, overrides[subgraph.name] ?? subgraph.routingUrl]),
  );
}

/** A subgraph counts as ready when its `/ready` answers 200 (the same origin as its GraphQL URL): up, and its database and Redis too. */
function subgraphReadinessCheck(graphqlUrl: string): ReadinessCheck {
  const readyUrl = new URL('/ready', graphqlUrl).toString();
  return async () => {
    const response = await fetch(readyUrl, { signal: AbortSignal.timeout(1500) });
    if (response.ok) {
      await response.body?.cancel();
      return;
    }
    // A subgraph that answers but is not ready says which of its own dependencies is down.
    const body = (await response.json().catch(() => ({}))) as { checks?: Record<string, string> };
    const unavailable = Object.entries(body.checks ?? {}).filter(([, state]) => state !== 'ok').map(([name]) => name);
    throw new DependencyNotReady(unavailable);
  };
}

/**
 * Builds the gateway without listening: the static supergraph (never introspection, so it
 * starts whether or not the subgraphs are up), the request guards, the playground and the
 * health routes. Tests start it in-process on port 0.
 */
export async function buildGateway(options: BuildGatewayOptions): Promise<GatewayApp> {
  const { config, logger } = options;
  const subgraphSecret = requireSharedSecret(config);
  const supergraphSdl = options.supergraphSdl ?? readFileSync(SUPERGRAPH_SDL_PATH, 'utf8');
  const subgraphUrls = resolveSubgraphUrls(config, options.supergraphConfig ?? readSupergraphConfig(SUPERGRAPH_CONFIG_PATH));
  const metrics = new ServiceMetrics('gateway');
  const writes = new ViewerWrites();
  const subgraphFetcher = createSubgraphFetcher({
    keepAliveMs: config.GATEWAY_SUBGRAPH_KEEPALIVE_MS,
    timeoutMs: config.GATEWAY_SUBGRAPH_TIMEOUT_MS,
    writes,
  });

  const newGateway = () =>
    new ApolloGateway({
      supergraphSdl,
      logger,
      buildService: ({ name }) => {
        const url = subgraphUrls[name];
        if (url === undefined) {
          throw new Error(`The supergraph names a subgraph "${name}" that supergraph.yaml does not; run npm run compose`);
        }
        return new SubgraphDataSource(name, url, subgraphFetcher.post, subgraphSecret);
      },
    });
  const gateway = newGateway();
  let apiSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate(({ apiSchema: loaded }) => {
    apiSchema = loaded;
  });
  const guards = requestGuards<GatewayContext>(config);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError: createGatewayErrorFormatter(),
    includeStacktraceInErrorResponses: false,
    introspection: true,
    allowBatchedHttpRequests: guards.allowBatchedHttpRequests,
    validationRules: [noSubscriptionsRule, ...guards.validationRules],
    parseOptions: guards.parseOptions,
    // The offline playground replaces Apollo's landing page, which loads Sandbox from a CDN.
    plugins: [...guards.plugins, operationResolutionPlugin(), errorLogPlugin(), viewerWritesPlugin(writes), ApolloServerPluginLandingPageDisabled()],
    // index.ts's closeOnSignals drains and exits 0; Apollo's own handler would send the signal again (exit 1).
    stopOnTerminationSignals: false,
    logger,
  });
  // Live events' queries run on an Apollo server of their own over the same supergraph and
  // subgraph connections, without the client guards: each is a batch of up to
  // MAX_ORDERS_PER_QUERY copies of a subscriber's selection, and that selection passed the
  // guards (depth, aliases, cost...) when it subscribed. The error formatter and its logging are the same.
  // (An ApolloGateway serves one ApolloServer, hence a second one.)
  const eventApollo = new ApolloServer<GatewayContext>({
    gateway: newGateway(),
    formatError: createGatewayErrorFormatter(),
    plugins: [errorLogPlugin()],
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false,
    logger,
  });
  await Promise.all([apollo.start(), eventApollo.start()]);

  // Live updates: the live-events stream, and the tokens of subscribers checked here too
  // (myOrderUpdates filters by the viewer; expiry and revocation end a running subscription).
  const redisConnections = new RedisConnections(config.REDIS_URL, logger);
  const redis = redisConnections.open('commands');
  const revocations = new SessionRevocationList(redis, redisConnections.open('revocation subscriber'), config.REDIS_PREFIX, logger);
  const verifier = new TokenVerifier({ jwksUrl: config.AUTH_JWKS_URL, isRevoked: (token) => revocations.isRevoked(token), logger });
  const feed = new LiveEventFeed({ reader: redisConnections.open('live events reader'), commands: redis, prefix: config.REDIS_PREFIX, logger });
  void feed.start();
  const schemaNow = () => {
    if (!apiSchema) throw new Error('the gateway has no schema yet');
    return apiSchema;
  };
  const eventQueryRules = [...specifiedRules, ...guards.validationRules];
  const subgraphGuards = subgraphFetchGuards<GatewayContext>(config);
  const live = new LiveSubscriptions({
    execute: async (query, variables, context) => {
      const response = await eventApollo.executeOperation({ query, variables }, { contextValue: { ...context } });
      if (response.body.kind !== 'single') throw new Error('an event query answered incrementally');
      return response.body.singleResult as FormattedExecutionResult;
    },
    fitsSubgraphs: (query) => {
      try {
        return validate(schemaNow(), parse(query, subgraphGuards.parseOptions), subgraphGuards.validationRules).length === 0;
      } catch {
        return false; // over the token limit
      }
    },
    feed,
    verifier,
    revocations,
    validate: (query) =>
      validate(schemaNow(), parse(query, guards.parseOptions), eventQueryRules).map((error) => ({
        message: error.message,
        ...(error.locations ? { locations: error.locations } : {}),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      })),
    limits: { maxSubscriptions: config.GATEWAY_MAX_SUBSCRIPTIONS, queueLimit: config.GATEWAY_SUBSCRIBER_QUEUE_LIMIT },
    logger,
  });
  const executeOnce = async (body: Record<string, unknown>, context: GatewayContext): Promise<FormattedExecutionResult> => {
    const response = await apollo.executeOperation(
      {
        query: typeof body['query'] === 'string' ? body['query'] : '',
        variables: (body['variables'] ?? undefined) as Record<string, unknown> | undefined,
        operationName: typeof body['operationName'] === 'string' ? body['operationName'] : undefined,
      },
      { contextValue: context },
    );
    if (response.body.kind === 'single') return response.body.singleResult as FormattedExecutionResult;
    return { errors: [new GraphQLError('Incremental delivery is served over multipart HTTP only', { extensions: { code: 'BAD_REQUEST' } }).toJSON()] };
  };
  const liveRequests = new ParsedRequests(config.GATEWAY_MAX_TOKENS);
  // A WebSocket's upgrade never passes through the HttpService, which gives every other request
  // its id: give it one the same way, so its log lines and its subgraph fetches carry the same id.
  const contextFor = (req: import('node:http').IncomingMessage) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    req.headers['x-request-id'] = requestId;
    return gatewayContextFrom(req, { trustForwardedFor: config.GATEWAY_TRUST_FORWARDED_FOR, log: requestLogger(logger, requestId) });
  };

  const checks = Object.fromEntries(
    Object.entries(subgraphUrls).map(([name, url]) => [name, subgraphReadinessCheck(url)]),
  );
  const { 'GET /metrics': metricsRoute, ...probeRoutes } = healthRoutes({ checks, metrics, logger });
  const http = new HttpService<GatewayContext>({
    graphql: sharingIdenticalQueries(answerWithApollo(apollo), { parseOptions: guards.parseOptions, writes }),
    context: async (req, log) => gatewayContextFrom(req, { trustForwardedFor: config.GATEWAY_TRUST_FORWARDED_FOR, log }),
    logger,
    metrics,
    graphqlPath: GRAPHQL_PATH,
    maxBodyBytes: config.GATEWAY_MAX_BODY_BYTES,
    routes: { ...probeRoutes, ...playgroundRoutes(GRAPHQL_PATH), ...webAppRoutes(options.webAppBuildDir) },
    graphqlStreams: liveHttpHandler({
      live,
      executeOnce,
      contextFor,
      heartbeatMs: config.GATEWAY_HEARTBEAT_MS,
      requests: liveRequests,
    }),
  });
  const websocket = serveWebSocket({
    server: http.server,
    path: GRAPHQL_PATH,
    live,
    schema: schemaNow,
    executeOnce,
    contextFor: (req, authorization) => ({ ...contextFor(req), authorization }),
    maxSubscriptionsPerConnection: config.GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION,
    heartbeatMs: config.GATEWAY_HEARTBEAT_MS,
    requests: liveRequests,
  });
  const metricsHttp = new HttpService<GatewayContext>({
    logger,
    metrics,
    routes: metricsRoute ? { 'GET /metrics': metricsRoute } : {},
  });

  let closing: Promise<void> | undefined;
  return {
    http,
    metricsHttp,
    subgraphUrls,
    get liveSubscriptions() {
      return live.count;
    },
    close() {
      closing ??= (async () => {
        // Running subscriptions end first: their open responses would hold http.close().
        live.close();
        await websocket.close();
        await http.close();
        await metricsHttp.close();
        await apollo.stop();
        await eventApollo.stop();
        await subgraphFetcher.close();
        await feed.close();
        revocations.close();
        await redisConnections.close();
      })();
      return closing;
    },
  };
}
