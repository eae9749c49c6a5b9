import { STATUS_CODES } from 'node:http';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GATEWAY_SECRET_HEADER } from '@dishpatch/shared/http';
import { GraphQLError, Kind, parse, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import { Agent, errors as undiciErrors } from 'undici';
import type { GatewayContext } from './context.js';
import { sharingInflightQueries, type SubgraphAnswer, type SubgraphPost } from './inflight-queries.js';
import type { ViewerWrites } from './viewer-writes.js';

type SubgraphResult = Awaited<ReturnType<GraphQLDataSource['process']>>;

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
  /** The gateway's record of its viewers' mutations, which decides what fetches in flight may be shared. */
  writes: ViewerWrites;
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
export function createSubgraphFetcher(options: SubgraphFetcherOptions): { post: SubgraphPost; close: () => Promise<void> } {
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
      headers: init.headers,
      body: init.body,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    return { status: response.statusCode, headers: headerEntries(response.headers), body: await response.body.text() };
  };
  return { post: sharingInflightQueries(post, options.writes), close: () => agent.close() };
}

const FORWARDED_HEADERS = ['authorization', 'x-request-id', 'x-forwarded-for', 'user-agent'] as const;

/** Apollo's reading of a Cache-Control header, `max-age=60, private` as `{ 'max-age': '60', private: true }`. */
function cacheControlOf(header: string | undefined): Record<string, string | true> {
  const directives: Record<string, string | true> = {};
  if (!header) return directives;
  for (const part of header.trim().split(/\s*,\s*/)) {
    const [name, value] = part.split(/\s*=\s*/, 2);
    directives[name!] = value === undefined ? true : value.replace(/^"|"$/g, '');
  }
  return directives;
}

function headerOf(answer: SubgraphAnswer, name: string): string | undefined {
  return answer.headers.find(([headerName]) => headerName === name)?.[1];
}

/** Apollo's reading of a subgraph's answer body: JSON when it says so, else text. */
function parsedBody(answer: SubgraphAnswer): unknown {
  const contentType = headerOf(answer, 'content-type');
  return contentType?.startsWith('application/json') || contentType?.startsWith('application/graphql-response+json') ? JSON.parse(answer.body) : answer.body;
}

/**
 * Sends the gateway's subgraph fetches with the caller's Authorization, the request id and
 * the client's address, and turns a subgraph that cannot be reached into a clear error for
 * that part of the response instead of an internal one.
 *
 * It does what Apollo's RemoteGraphQLDataSource does for an HTTP subgraph (the same body, the
 * same errors for an answer that is not 2xx or not JSON, the answer's Cache-Control applied to
 * the response's cache policy) on plain objects: that one builds node-fetch Headers and a
 * Request for every fetch, and a WHATWG Headers for every answer, which together cost the
 * gateway more than reading the answer itself.
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  constructor(
    private readonly serviceName: string,
    private readonly url: string,
    private readonly post: SubgraphPost,
    /** SUBGRAPH_SHARED_SECRET: the same for every caller, so in-flight sharing is unaffected. */
    private readonly secret: string,
  ) {}

  /**
   * A subgraph that cannot be reached answers as a subgraph would with an error per field it
   * was asked for: thrown, the gateway would keep the error without a path and the null
   * would spread up to `data: null`. Each one given is logged (service, operation, request id).
   */
  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResult> {
    try {
      return await this.send(options);
    } catch (error) {
      if (!(error instanceof SubgraphUnavailableError) || options.kind !== 'incoming operation') throw error;
      options.context.log.warn(
        {
          code: SUBGRAPH_UNAVAILABLE,
          serviceName: error.serviceName,
          reason: error.reason,
          operationName: options.incomingRequestContext.operationName ?? options.incomingRequestContext.request.operationName ?? null,
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

  private async send(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResult> {
    const { request } = options;
    if (!request.query) throw new Error('Missing query');
    const headers = this.headersFor(options);
    const body = JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName, extensions: request.extensions });
    let answer: SubgraphAnswer;
    try {
      answer = await this.post(this.url, { headers, body });
    } catch (error) {
      throw new SubgraphUnavailableError(this.serviceName, isSubgraphTimeout(error) ? 'timeout' : 'unreachable');
    }
    if (answer.status < 200 || answer.status >= 300) throw this.failedAnswer(answer);
    const result = parsedBody(answer);
    if (typeof result !== 'object' || result === null) throw new Error(`Expected JSON response body, but received: ${String(result)}`);
    if (options.kind === 'incoming operation') this.restrictCachePolicy(options.incomingRequestContext.overallCachePolicy, answer);
    return result as SubgraphResult;
  }

  private headersFor(options: GraphQLDataSourceProcessOptions<GatewayContext>): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const [name, value] of options.request.http?.headers ?? []) headers[name.toLowerCase()] = value;
    headers['content-type'] = 'application/json';
    headers[GATEWAY_SECRET_HEADER] = this.secret;
    if (options.kind !== 'incoming operation') return headers;
    const values: Record<(typeof FORWARDED_HEADERS)[number], string | undefined> = {
      authorization: options.context.authorization,
      'x-request-id': options.context.requestId,
      'x-forwarded-for': options.context.forwardedFor,
      'user-agent': options.context.userAgent,
    };
    for (const name of FORWARDED_HEADERS) {
      const value = values[name];
      if (value !== undefined && value !== '') headers[name] = value;
    }
    return headers;
  }

  /**
   * Only the secret check answers 403 (resolver errors come with 200): the gateway's
   * configuration is wrong, which the client cannot fix (the subgraph counts 403s in its
   * metrics). Any other status is Apollo's `<status>: <text>` error with the answer attached.
   */
  private failedAnswer(answer: SubgraphAnswer): Error {
    if (answer.status === 403) return new SubgraphUnavailableError(this.serviceName, 'unreachable');
    if (answer.status === 502 || answer.status === 503 || answer.status === 504) return new SubgraphUnavailableError(this.serviceName, 'overloaded');
    const statusText = STATUS_CODES[answer.status] ?? '';
    const code = answer.status === 401 ? 'UNAUTHENTICATED' : undefined;
    return new GraphQLError(`${answer.status}: ${statusText}`, {
      extensions: { response: { url: this.url, status: answer.status, statusText, body: parsedBody(answer) }, ...(code && { code }) },
    });
  }

  /** As Apollo's data source does: the answer's Cache-Control (none means max-age 0) bounds the response's. */
  private restrictCachePolicy(policy: { restrict?: (hint: { maxAge?: number; scope?: 'PUBLIC' | 'PRIVATE' }) => void } | undefined, answer: SubgraphAnswer): void {
    if (typeof policy?.restrict !== 'function') return;
    const directives = cacheControlOf(headerOf(answer, 'cache-control'));
    const maxAge = directives['max-age'];
    policy.restrict({
      maxAge: typeof maxAge === 'string' && /^[0-9]+$/.test(maxAge) ? Number(maxAge) : 0,
      ...(directives['private'] === true ? { scope: 'PRIVATE' as const } : directives['public'] === true ? { scope: 'PUBLIC' as const } : {}),
    });
  }
}
