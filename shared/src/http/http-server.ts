import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ServiceMetrics } from '../observability/metrics.js';
import { requestIdFrom, requestLogger } from '../observability/request-context.js';
import { settlesWithin } from '../lifecycle.js';
import type { GatewaySecret } from './gateway-secret.js';

export interface RouteResponse {
  status: number;
  body: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A plain HTTP route next to /graphql (health, readiness, metrics, JWKS, playground assets). */
export type RouteHandler = (req: IncomingMessage) => Promise<RouteResponse> | RouteResponse;

/** A GraphQL request as read from HTTP: the method, the parsed body (POST) and the query string. */
export interface GraphQLHttpRequest {
  method: string;
  body: unknown;
  search: string;
}

/** What a GraphQL engine answers over HTTP: a whole body, or a stream of chunks (incremental delivery). */
export interface GraphQLHttpResponse {
  status: number;
  headers: Iterable<[string, string]>;
  body: string | AsyncIterable<string>;
}

/**
 * The engine behind `/graphql`: the gateway's Apollo Server (`answerWithApollo`), or a
 * subgraph's compiled operations (`subgraphGraphQL`). `log` is the request's logger (its lines
 * carry the request id); `context` builds the request's context, and an engine calls it only
 * for a request it will execute.
 */
export type GraphQLAnswerer<TContext> = (
  request: GraphQLHttpRequest & { headers: IncomingHttpHeaders; log: Logger },
  context: () => Promise<TContext>,
) => Promise<GraphQLHttpResponse>;

/** GraphQL at `graphqlPath`; a service without it (the worker) serves its plain routes only. */
type GraphQLEndpoint<TContext> =
  | {
      graphql: GraphQLAnswerer<TContext>;
      /** Builds the per-request context, given the request's logger (which carries its request id). */
      context: (req: IncomingMessage, log: Logger) => Promise<TContext>;
    }
  | { graphql?: undefined; context?: undefined };

/**
 * Gets the first look at each GraphQL request, after its body is read: answers it itself
 * (streams such as subscriptions over multipart or SSE) and returns true, or returns false to
 * leave it to the GraphQL engine.
 */
export type GraphQLStreamHandler = (req: IncomingMessage, res: ServerResponse, request: GraphQLHttpRequest) => Promise<boolean>;

export type HttpServiceOptions<TContext> = GraphQLEndpoint<TContext> & {
  /** The gateway's live transports; none by default. */
  graphqlStreams?: GraphQLStreamHandler;
  logger: Logger;
  metrics: ServiceMetrics;
  /**
   * Keyed by `METHOD /path`, e.g. `GET /health`; `METHOD /path/*` answers every path under
   * `/path/` that has no route of its own (the longest such prefix wins).
   */
  routes?: Record<string, RouteHandler>;
  /** Where GraphQL is served. Default `/graphql`. */
  graphqlPath?: string;
  /** Largest request body accepted, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** How long close() waits for requests in flight before it cuts their connections. Default 5,000 ms. */
  drainMs?: number;
  /**
   * A subgraph's: GraphQL is answered only to a request carrying the gateway's secret (403
   * otherwise), and `x-forwarded-for` is dropped from any request without it. Plain routes
   * (health, readiness, metrics, JWKS) need no secret. Default none: anyone may ask.
   */
  gatewaySecret?: GatewaySecret;
};

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function sendGraphQLFailure(res: ServerResponse, failure: HttpFailure): void {
  sendJson(res, failure.status, { errors: [{ message: failure.message, extensions: { code: failure.code } }] });
}

/**
 * The body as text, read with plain 'data' events: an async iterator over the request costs a
 * stream iterator, its promises and an end-of-stream watcher per request, for what is nearly
 * always one chunk. A body that grows past the limit ends the request (as leaving a `for await`
 * over it early would).
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.reject(new HttpFailure(413, 'PAYLOAD_TOO_LARGE', `Request body is larger than ${maxBytes} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      reject(new HttpFailure(413, 'PAYLOAD_TOO_LARGE', `Request body is larger than ${maxBytes} bytes`));
      req.destroy();
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function parseJsonBody(text: string, contentType: string | undefined): unknown {
  if (!contentType?.toLowerCase().startsWith('application/json')) return text;
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpFailure(400, 'BAD_REQUEST', 'The request body is not valid JSON');
  }
}

/**
 * The one HTTP layer every service uses: GraphQL through the service's engine on plain
 * `node:http` (no framework on the hot path), plain routes beside it, a body-size limit,
 * malformed JSON answered with a 400, and a request id in every log line.
 */
export class HttpService<TContext> {
  readonly server: Server;
  private readonly graphqlPath: string;
  private readonly maxBodyBytes: number;
  /** Every open connection, and those with a request in flight: close() ends the others at once. */
  private readonly connections = new Set<Socket>();
  private readonly answering = new Set<Socket>();
  private closing = false;

  constructor(private readonly options: HttpServiceOptions<TContext>) {
    this.graphqlPath = options.graphqlPath ?? '/graphql';
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.server = createServer((req, res) => {
      this.track(req.socket, res);
      const requestId = requestIdFrom(req.headers['x-request-id']);
      req.headers['x-request-id'] = requestId;
      res.setHeader('x-request-id', requestId);
      const fromGateway = options.gatewaySecret?.isCarriedBy(req) ?? true;
      // Only the gateway may say who the client is: a client's own header would pick the address rate limits count by.
      if (!fromGateway) delete req.headers['x-forwarded-for'];
      void this.handle(req, res, fromGateway, requestLogger(options.logger, requestId));
    });
    // Behind a gateway the connections are long-lived and reused; keep them longer than the gateway's idle timeout.
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
    this.server.on('connection', (socket: Socket) => {
      this.connections.add(socket);
      socket.once('close', () => {
        this.connections.delete(socket);
        this.answering.delete(socket);
      });
    });
  }

  private track(socket: Socket, res: ServerResponse): void {
    this.answering.add(socket);
    res.once('close', () => {
      this.answering.delete(socket);
      // Shutting down: no next request on this connection (end() still sends what is buffered).
      if (this.closing) socket.end();
    });
  }

  /** Listens and resolves with the bound port (useful with port 0 in tests). */
  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  /**
   * Stops accepting connections, ends every connection with no request in flight, and waits
   * for the requests in flight up to `drainMs`, then cuts their connections too. Node's own
   * closeIdleConnections() is not enough: it skips a connection that has not sent a request
   * yet (a client's spare or pre-opened one, which undici and browsers make), and
   * server.close() then waits for it until headersTimeout (66 s). Long-lived responses
   * (live subscriptions) are ended by their owner before this is called.
   */
  async close(): Promise<void> {
    if (!this.server.listening) return;
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.connections) if (!this.answering.has(socket)) socket.destroy();
    if (!(await settlesWithin(closed, this.options.drainMs ?? 5_000))) {
      this.options.logger.warn({ connections: this.answering.size }, 'requests still in flight at shutdown; closing their connections');
      this.server.closeAllConnections();
      await closed;
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse, fromGateway: boolean, log: Logger): Promise<void> {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://localhost');
    let route = 'unmatched';
    try {
      const { graphql, context } = this.options;
      if (graphql && context && url.pathname === this.graphqlPath) {
        route = this.graphqlPath;
        if (!fromGateway) throw new HttpFailure(403, 'FORBIDDEN', 'This service answers GraphQL only to the gateway; send your request to the gateway');
        await this.handleGraphQL(graphql, context, req, res, url, log);
        return;
      }
      const matched = this.routeFor(req.method ?? 'GET', url.pathname);
      if (!matched) {
        sendJson(res, 404, { error: 'Not found' });
        return;
      }
      // The route's own key, not the path: a prefix route must not make a metric label per path.
      route = matched.route;
      const response = await matched.handler(req);
      res.writeHead(response.status, {
        'content-type': response.contentType ?? 'application/json; charset=utf-8',
        ...response.headers,
      });
      res.end(response.body);
    } catch (error) {
      if (error instanceof HttpFailure) {
        sendGraphQLFailure(res, error);
      } else {
        log.error({ err: error }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
        else res.destroy();
      }
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.options.metrics.httpRequestSeconds.observe({ route, status: String(res.statusCode) }, seconds);
    }
  }

  private routeFor(method: string, pathname: string): { route: string; handler: RouteHandler } | undefined {
    const routes = this.options.routes ?? {};
    const exact = routes[`${method} ${pathname}`];
    if (exact) return { route: pathname, handler: exact };
    let best: { prefix: string; handler: RouteHandler } | undefined;
    for (const [key, handler] of Object.entries(routes)) {
      if (!key.startsWith(`${method} `) || !key.endsWith('/*')) continue;
      const prefix = key.slice(method.length + 1, -1);
      if (pathname.startsWith(prefix) && prefix.length > (best?.prefix.length ?? -1)) best = { prefix, handler };
    }
    return best && { route: `${best.prefix}*`, handler: best.handler };
  }

  private async handleGraphQL(
    graphql: GraphQLAnswerer<TContext>,
    context: (req: IncomingMessage, log: Logger) => Promise<TContext>,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    log: Logger,
  ): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const body = method === 'POST' ? parseJsonBody(await readBody(req, this.maxBodyBytes), req.headers['content-type']) : undefined;
    if (this.options.graphqlStreams && (await this.options.graphqlStreams(req, res, { method, body, search: url.search }))) return;
    const response = await graphql({ method, headers: req.headers, search: url.search, body, log }, () => context(req, log));
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.statusCode = response.status;
    if (typeof response.body === 'string') {
      res.end(response.body);
      return;
    }
    for await (const chunk of response.body) res.write(chunk);
    res.end();
  }
}
