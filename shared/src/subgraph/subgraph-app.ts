import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode } from 'graphql';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { AuthenticatedContext } from '../authorization.js';
import { requireSharedSecret, type sharedSecretConfigShape, type subgraphLimitsConfigShape } from '../config.js';
import { createErrorFormatter } from '../errors.js';
import { GatewaySecret } from '../http/gateway-secret.js';
import { healthRoutes, type ReadinessCheck } from '../http/health.js';
import { HttpService, type RouteHandler } from '../http/http-server.js';
import { Closer } from '../lifecycle.js';
import type { ServiceMetrics } from '../observability/metrics.js';
import { requestGuards } from '../request-guards.js';
import type { Authentication, TokenVerifier } from '../tokens/token-verifier.js';
import { subgraphGraphQL } from './subgraph-graphql.js';

/** A subgraph's SDL, read once from the `.graphql` file beside its resolvers. */
export function readSubgraphSchema(url: URL): DocumentNode {
  return parse(readFileSync(url, 'utf8'));
}

/** What every subgraph's context holds: who asks, the services, this request's DataLoaders and its logger. */
export interface SubgraphContext<Services, Loaders> extends AuthenticatedContext {
  auth: Authentication;
  /** The request's logger: its lines carry the request id (observability/request-context.ts). */
  log: Logger;
  services: Services;
  /** Made per request, so a batch costs one query and nothing cached outlives the request. */
  loaders: Loaders;
}

export interface ContextFactoryOptions<Services, Loaders, Extra extends object> {
  verifier: TokenVerifier;
  services: Services;
  createLoaders: (services: Services) => Loaders;
  /** What else a subgraph reads from the request (auth: the client's address). Default none. */
  fromRequest?: (req: IncomingMessage) => Extra;
}

/**
 * The per-request context: an invalid token leaves the viewer null with the reason, which
 * `requireViewer` turns into UNAUTHENTICATED, so public fields still answer.
 */
export function createContextFactory<Services, Loaders, Extra extends object = object>(
  options: ContextFactoryOptions<Services, Loaders, Extra>,
): (req: IncomingMessage, log: Logger) => Promise<SubgraphContext<Services, Loaders> & Extra> {
  return async (req, log) => ({
    ...(options.fromRequest?.(req) ?? ({} as Extra)),
    auth: await options.verifier.authenticate(req.headers.authorization, log),
    log,
    services: options.services,
    loaders: options.createLoaders(options.services),
  });
}

/** The resolver map buildSubgraphSchema takes (the generated `Resolvers` type fits it). */
type SubgraphResolvers = NonNullable<Extract<Parameters<typeof buildSubgraphSchema>[0], { resolvers?: unknown }>['resolvers']>;

/** The trust boundary's part of a subgraph's config: the gateway's secret and the subgraph's own request limits. */
export type SubgraphBoundaryConfig = z.infer<z.ZodObject<typeof sharedSecretConfigShape & typeof subgraphLimitsConfigShape>>;

export interface SubgraphHttpOptions<Context> {
  /** SUBGRAPH_SHARED_SECRET (required: a ConfigError without it) and the SUBGRAPH_MAX_* limits. */
  boundary: SubgraphBoundaryConfig;
  typeDefs: DocumentNode;
  resolvers: SubgraphResolvers;
  context: (req: IncomingMessage, log: Logger) => Promise<Context>;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Stops the HTTP server when the app closes. */
  closer: Closer;
  /** The dependencies `/ready` reports on, by name. */
  readinessChecks: Record<string, ReadinessCheck>;
  /** Routes beside GraphQL and the health routes (auth: the JWKS). Default none. */
  routes?: Record<string, RouteHandler>;
}

/**
 * The GraphQL edge every subgraph shares: graphql-js on the federated schema (subgraph-graphql.ts)
 * with the allow-list error formatter and the subgraph's own request limits, served by
 * HttpService next to `/health`, `/ready`, `/metrics` and any extra routes. GraphQL answers only
 * requests that carry the gateway's secret; the plain routes need none. Does not listen.
 */
export function buildSubgraphHttp<Context>(options: SubgraphHttpOptions<Context>): HttpService<Context> {
  const { logger, metrics, closer, boundary } = options;
  const gatewaySecret = new GatewaySecret(requireSharedSecret(boundary));
  const guards = requestGuards({
    maxDepth: boundary.SUBGRAPH_MAX_DEPTH,
    maxAliases: boundary.SUBGRAPH_MAX_ALIASES,
    maxDirectives: boundary.SUBGRAPH_MAX_DIRECTIVES,
    maxTokens: boundary.SUBGRAPH_MAX_TOKENS,
    maxCost: boundary.SUBGRAPH_MAX_COST,
    allowBatching: false,
  });
  const http = new HttpService<Context>({
    graphql: subgraphGraphQL<Context>({
      schema: buildSubgraphSchema({ typeDefs: options.typeDefs, resolvers: options.resolvers }),
      formatError: createErrorFormatter(),
      validationRules: guards.validationRules,
      parseOptions: guards.parseOptions,
      introspection: process.env['NODE_ENV'] !== 'production',
    }),
    context: options.context,
    logger,
    metrics,
    gatewaySecret,
    routes: { ...healthRoutes({ checks: options.readinessChecks, metrics, logger }), ...options.routes },
  });
  closer.add('http server', () => http.close());
  return http;
}

/**
 * Runs an app factory with a Closer: every step that opens something registers its close, the
 * app's `close()` undoes them in reverse order (safe to call twice), and a factory that throws
 * halfway leaves nothing open behind it.
 */
export async function buildClosable<App extends object>(
  logger: Logger,
  build: (closer: Closer) => Promise<App>,
): Promise<App & { close(): Promise<void> }> {
  const closer = new Closer(logger);
  try {
    const app = await build(closer);
    return { ...app, close: () => closer.close() };
  } catch (error) {
    await closer.close();
    throw error;
  }
}
