import { z } from 'zod';
import { commonConfigShape, env, loadConfig, sharedSecretConfigShape, subgraphLimitsConfigShape } from '@dishpatch/shared/config';

const HTTP = ['http:', 'https:'] as const;

/**
 * The gateway's environment. Every limit a client can run into is here, with a default
 * that lets the playground's introspection and every example operation through.
 */
export const gatewayConfigShape = {
  LOG_LEVEL: env.logLevel(),
  /** Sent with every subgraph request; the subgraphs answer no one without it. Required. */
  ...sharedSecretConfigShape,
  /** The subgraphs' limits: batched live-event fetches stay under them (guards.ts, subgraphFetchGuards). */
  ...subgraphLimitsConfigShape,
  GATEWAY_PORT: env.port(4000),
  /**
   * Prometheus `/metrics` is served here only, never on GATEWAY_PORT: the public port must not
   * tell the internet the traffic and error counts. 9400 is free of Prometheus's own 9090.
   */
  GATEWAY_METRICS_PORT: env.port(9400),
  /** Where the metrics port listens: loopback unless a scraper elsewhere needs it (e.g. 0.0.0.0 in a container), as the Apollo Router does. */
  GATEWAY_METRICS_HOST: z.union([z.ipv4(), z.ipv6()]).default('127.0.0.1'),
  /**
   * Gateway processes sharing the port (Node's cluster module), e.g. one per core the gateway
   * may have to itself. 1 serves from this process.
   */
  GATEWAY_WORKERS: env.intInRange(1, 1, 64),
  /** Override supergraph.yaml's routing_url for one subgraph (e.g. inside docker compose). */
  AUTH_SUBGRAPH_URL: env.optionalUrl(HTTP),
  ORDERS_SUBGRAPH_URL: env.optionalUrl(HTTP),
  /** Largest accepted request body; a placeOrder with 50 lines is about 4 KB. */
  GATEWAY_MAX_BODY_BYTES: env.positiveInt(100_000, 10 * 1024 * 1024),
  /** Deepest selection allowed; `me { orders { edges { node { items { dish { name } } } } } }` is 7. */
  GATEWAY_MAX_DEPTH: env.positiveInt(10, 100),
  GATEWAY_MAX_ALIASES: env.intInRange(15, 0, 1000),
  GATEWAY_MAX_DIRECTIVES: env.intInRange(50, 0, 1000),
  /** Lexical tokens per document; bounds parsing work before anything else runs. */
  GATEWAY_MAX_TOKENS: env.positiveInt(2000, 100_000),
  /**
   * GraphQL Armor's estimated cost: objects 2, scalars 1, times 1.5 per level, times `first`
   * for a page; a staff page of 100 orders with items, customers and history is about 8,100.
   */
  GATEWAY_MAX_COST: env.positiveInt(20_000, 10_000_000),
  /** Arrays of operations in one POST; off unless a client truly needs them. */
  GATEWAY_ALLOW_BATCHING: env.boolean(false),
  /**
   * Whether a client's own X-Forwarded-For is kept (and the peer appended). Only behind a
   * proxy you run: otherwise a client could pick the address the subgraphs rate-limit on.
   */
  GATEWAY_TRUST_FORWARDED_FOR: env.boolean(false),
  /** Idle keep-alive connections to each subgraph are closed after this long. */
  GATEWAY_SUBGRAPH_KEEPALIVE_MS: env.positiveInt(30_000, 600_000),
  /** A subgraph that sends no answer, or stalls in the middle of one, for this long fails its part of the response. */
  GATEWAY_SUBGRAPH_TIMEOUT_MS: env.positiveInt(10_000, 600_000),

  // Live updates (subscriptions): events from the worker's relay through Redis.
  /** Redis holding the live-events stream and the revocation list; the worker's and subgraphs' own. */
  REDIS_URL: commonConfigShape.REDIS_URL,
  /** The same prefix as the worker's: the stream is `${REDIS_PREFIX}live:events`. */
  REDIS_PREFIX: commonConfigShape.REDIS_PREFIX,
  /** Where the gateway fetches the keys it verifies subscribers' tokens with (myOrderUpdates, expiry, revocation). */
  AUTH_JWKS_URL: env.url('http://127.0.0.1:4001/.well-known/jwks.json', HTTP),
  /** Live subscriptions one client connection (a WebSocket; an HTTP stream holds one) may hold at once. */
  GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION: env.positiveInt(100, 10_000),
  /** Live subscriptions one gateway process holds at once; the next is refused with SERVICE_UNAVAILABLE. */
  GATEWAY_MAX_SUBSCRIPTIONS: env.positiveInt(20_000, 1_000_000),
  /**
   * Results waiting for one subscriber (events not yet resolved plus answers not yet written):
   * a client that falls this far behind is dropped rather than buffered without bound.
   */
  GATEWAY_SUBSCRIBER_QUEUE_LIMIT: env.positiveInt(100, 100_000),
  /** How often an idle stream gets a heartbeat (multipart `{}`, an SSE comment, a WebSocket ping). */
  GATEWAY_HEARTBEAT_MS: env.positiveInt(15_000, 600_000),
};

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

export function loadGatewayConfig(environment: NodeJS.ProcessEnv = process.env) {
  return loadConfig(gatewayConfigShape, environment);
}
