import { STATUS_CODES } from 'node:http';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { FetcherHeaders, FetcherResponse } from '@apollo/utils.fetcher';
import { GATEWAY_SECRET_HEADER } from '@dishpatch/shared/http';
import type { Logger } from '@dishpatch/shared/observability';
import { GraphQLError, Kind, parse, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import { Agent, errors as undiciErrors } from 'undici';
import type { GatewayContext } from './context.js';
import { sharingInflightQueries, type SubgraphAnswer, type SubgraphPost } from './inflight-queries.js';

type Fetcher = RemoteGraphQLDataSource['fetcher'];
type SubgraphResult = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

/** The code a client sees for the part of a response whose subgraph could not be reached. */
export const SUBGRAPH_UNAVAILABLE = 'SERVICE_UNAVAILABLE';

/** Names the subgraph, so a client knows which part of its query is missing and that retrying may help. */
export class SubgraphUnavailableError extends GraphQLError {
  constructor(
    readonly serviceName: string,
    readonly reason: 'unreachable' | 'timeout' | 'overloaded',
  ) {
    const why = reason === 'timeout' ? 'did not answer in time' : 'is unavailable';
    super(`The ${serviceName} service ${why}; try again shortly`, {
      extensions: { code: SUBGRAPH_UNAVAILABLE, serviceName },
    });
  }
}

/**
 * Where a failed fetch's errors belong, in the subgraph's own response terms: each entity of
 * an `_entities` fetch (`['_entities', i]`, which the gateway maps to that entity's place in
 * the client's response, e.g. `['orders', 'edges', 3, 'node', 'customer']`), else each
 * top-level field the fetch selects. The gateway then nulls those fields only, and the rest
 * of the response is served.
 */
function pathsOfFetch(
  request: { query?: string; variables?: Record<string, unknown> },
  document: DocumentNode | undefined,
): Array<Array<string | number>> {
  const representations = request.variables?.['representations'];
  if (Array.isArray(representations)) return representations.map((_, index) => ['_entities', index]);
  // The gateway hands over the fetch's parsed document only sometimes; parsing costs only on this failure path.
  const parsed = document ?? (request.query === undefined ? undefined : parse(request.query));
  const operation = parsed?.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (operation?.kind !== Kind.OPERATION_DEFINITION) return [];
  return operation.selectionSet.selections.flatMap((selection) =>
    selection.kind === Kind.FIELD ? [[selection.alias?.value ?? selection.name.value]] : [],
  );
}

export interface SubgraphFetcherOptions {
  /** Idle connections are kept this long for reuse. */
  keepAliveMs: number;
  /** A subgraph that sends no answer (or stalls in the middle of one) for this long fails. */
  timeoutMs: number;
}

/**
 * What Apollo's data source reads of a subgraph's answer, over text already read: a plain
 * object instead of a WHATWG Response, whose streams cost more than the answer is long.
 */
class SubgraphResponse implements FetcherResponse {
  readonly redirected = false;
  readonly headers: FetcherHeaders;
  bodyUsed = false;

  constructor(
    readonly url: string,
    private readonly answer: SubgraphAnswer,
  ) {
    this.headers = new Headers(answer.headers);
  }

  get status(): number {
    return this.answer.status;
  }

  get ok(): boolean {
    return this.answer.status >= 200 && this.answer.status < 300;
  }

  get statusText(): string {
    return STATUS_CODES[this.answer.status] ?? '';
  }

  async text(): Promise<string> {
    this.bodyUsed = true;
    return this.answer.body;
  }

  async json(): Promise<unknown> {
    this.bodyUsed = true;
    return JSON.parse(this.answer.body) as unknown;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    this.bodyUsed = true;
    return new TextEncoder().encode(this.answer.body).buffer;
  }

  clone(): FetcherResponse {
    return new SubgraphResponse(this.url, this.answer);
  }
}

function headerEntries(headers: Record<string, string | string[] | undefined>): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) entries.push([name, Array.isArray(value) ? value.join(', ') : value]);
  }
  return entries;
}

/** undici's own deadlines, which cost nothing per request, unlike an AbortSignal timer each. */
export function isSubgraphTimeout(error: unknown): boolean {
  return error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError;
}

/**
 * One pool of keep-alive connections for all subgraph fetches (without it every fetch would
 * pay a TCP handshake), sent with undici's `request`: the gateway reads each answer whole,
 * so fetch()'s streams and Request/Response objects would only add work. Identical queries
 * in flight together share one round trip. `close()` ends the pool's sockets so the process
 * can exit.
 */
export function createSubgraphFetcher(options: SubgraphFetcherOptions): { fetcher: Fetcher; close: () => Promise<void> } {
  const agent = new Agent({
    keepAliveTimeout: options.keepAliveMs,
    keepAliveMaxTimeout: options.keepAliveMs,
    connections: 128,
    pipelining: 1,
  });
  const targets = new Map<string, { origin: string; path: string }>();
  const post: SubgraphPost = async (url, init) => {
    let target = targets.get(url);
    if (target === undefined) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      targets.set(url, target);
    }
    const response = await agent.request({
      ...target,
      method: 'POST',
      headers: init?.headers,
      body: init?.body,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    return { status: response.statusCode, headers: headerEntries(response.headers), body: await response.body.text() };
  };
  const shared = sharingInflightQueries(post);
  const fetcher: Fetcher = async (url, init) => new SubgraphResponse(url, await shared(url, init));
  return { fetcher, close: () => agent.close() };
}

const FORWARDED_HEADERS = ['authorization', 'x-request-id', 'x-forwarded-for', 'user-agent'] as const;

/**
 * Sends the gateway's subgraph fetches with the caller's Authorization, the request id and
 * the client's address, and turns a subgraph that cannot be reached into a clear error for
 * that part of the response instead of an internal one.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly serviceName: string,
    url: string,
    fetcher: Fetcher,
    private readonly logger: Logger,
    /** SUBGRAPH_SHARED_SECRET: the same for every caller, so in-flight sharing is unaffected. */
    private readonly secret: string,
  ) {
    super({ url, fetcher });
  }

  /**
   * A subgraph that cannot be reached answers as a subgraph would with an error per field it
   * was asked for: thrown, the gateway would keep the error without a path and the null
   * would spread up to `data: null`. Each one given is logged (service, operation, request id).
   */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResult> {
    try {
      return await super.process(options);
    } catch (error) {
      if (!(error instanceof SubgraphUnavailableError) || options.kind !== 'incoming operation') throw error;
      this.logger.warn(
        {
          code: SUBGRAPH_UNAVAILABLE,
          serviceName: error.serviceName,
          reason: error.reason,
          operationName: options.incomingRequestContext.operationName ?? options.incomingRequestContext.request.operationName ?? null,
          requestId: options.context.requestId,
        },
        `gave SERVICE_UNAVAILABLE: ${error.message}`,
      );
      const errors = pathsOfFetch(options.request, options.document).map(
        (path): GraphQLFormattedError => ({ message: error.message, path, extensions: error.extensions }),
      );
      // A fetch with nothing to point at (none today) still carries its error, without a path.
      return { errors: errors.length > 0 ? errors : [{ message: error.message, extensions: error.extensions }] };
    }
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = options.request.http?.headers;
    if (!headers) return;
    headers.set(GATEWAY_SECRET_HEADER, this.secret);
    if (options.kind !== 'incoming operation') return;
    const values: Record<(typeof FORWARDED_HEADERS)[number], string | undefined> = {
      authorization: options.context.authorization,
      'x-request-id': options.context.requestId,
      'x-forwarded-for': options.context.forwardedFor,
      'user-agent': options.context.userAgent,
    };
    for (const name of FORWARDED_HEADERS) {
      const value = values[name];
      if (value !== undefined && value !== '') headers.set(name, value);
    }
  }

  override didEncounterError(error: Error, _request: unknown, response?: FetcherResponse): never {
    if (response === undefined) {
      throw new SubgraphUnavailableError(this.serviceName, isSubgraphTimeout(error) ? 'timeout' : 'unreachable');
    }
    // Only the secret check answers 403 (resolver errors come with 200): the gateway's
    // configuration is wrong, which the client cannot fix (the subgraph counts 403s in its metrics).
    if (response.status === 403) throw new SubgraphUnavailableError(this.serviceName, 'unreachable');
    if (response.status === 502 || response.status === 503 || response.status === 504) {
      throw new SubgraphUnavailableError(this.serviceName, 'overloaded');
    }
    throw error;
  }
}
