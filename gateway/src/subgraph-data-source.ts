import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { Agent, fetch as undiciFetch } from 'undici';
import type { GatewayContext } from './context.js';
import { sharingInflightQueries } from './inflight-queries.js';

type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherRequestInit = Parameters<Fetcher>[1];
type FetcherResponse = Awaited<ReturnType<Fetcher>>;

/** The code a client sees for the part of a response whose subgraph could not be reached. */
export const SUBGRAPH_UNAVAILABLE = 'SERVICE_UNAVAILABLE';

/** Names the subgraph, so a client knows which part of its query is missing and that retrying may help. */
export class SubgraphUnavailableError extends GraphQLError {
  constructor(serviceName: string, reason: 'unreachable' | 'timeout' | 'overloaded') {
    const why = reason === 'timeout' ? 'did not answer in time' : 'is unavailable';
    super(`The ${serviceName} service ${why}; try again shortly`, {
      extensions: { code: SUBGRAPH_UNAVAILABLE, serviceName },
    });
  }
}

export interface SubgraphFetcherOptions {
  /** Idle connections are kept this long for reuse. */
  keepAliveMs: number;
  /** A fetch is aborted after this long. */
  timeoutMs: number;
}

/**
 * One pool of keep-alive connections for all subgraph fetches: without it every fetch would
 * pay a TCP handshake. `close()` ends the pool's sockets so the process can exit.
 */
export function createSubgraphFetcher(options: SubgraphFetcherOptions): { fetcher: Fetcher; close: () => Promise<void> } {
  const agent = new Agent({
    keepAliveTimeout: options.keepAliveMs,
    keepAliveMaxTimeout: options.keepAliveMs,
    connections: 128,
    pipelining: 1,
  });
  const fetcher: Fetcher = async (url: string, init?: FetcherRequestInit): Promise<FetcherResponse> =>
    undiciFetch(url, {
      method: init?.method,
      headers: init?.headers,
      body: init?.body,
      dispatcher: agent,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  return { fetcher: sharingInflightQueries(fetcher), close: () => agent.close() };
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
  ) {
    super({ url, fetcher });
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (options.kind !== 'incoming operation') return;
    const headers = options.request.http?.headers;
    if (!headers) return;
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
      throw new SubgraphUnavailableError(this.serviceName, error.name === 'TimeoutError' ? 'timeout' : 'unreachable');
    }
    if (response.status === 502 || response.status === 503 || response.status === 504) {
      throw new SubgraphUnavailableError(this.serviceName, 'overloaded');
    }
    throw error;
  }
}
