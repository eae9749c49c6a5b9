import { buildGateway, type BuildGatewayOptions, type GatewayApp } from '../../src/app.js';
import { loadGatewayConfig } from '../../src/config.js';
import { testLogger } from '@dishpatch/shared/testing';
import { pino } from 'pino';
import type { Logger } from '@dishpatch/shared/observability';
import { STUB_SECRET } from './stub-subgraphs.js';

export interface GraphQLErrorBody {
  message: string;
  path?: Array<string | number>;
  extensions?: Record<string, unknown>;
}

export interface GraphQLBody<TData = Record<string, unknown>> {
  data?: TData | null;
  errors?: GraphQLErrorBody[];
}

export interface RunningGateway {
  app: GatewayApp;
  base: string;
  metricsBase: string;
  /** POSTs one operation as JSON; returns the status, the headers and the parsed body. */
  query<TData = Record<string, unknown>>(
    query: string,
    options?: { variables?: Record<string, unknown>; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: GraphQLBody<TData> }>;
  /** POSTs a raw body as JSON. */
  post(body: string, headers?: Record<string, string>): Promise<Response>;
}

/** A logger that keeps every line it writes, parsed, for tests that check what was logged. */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

/**
 * Builds the gateway in-process against the given subgraph URLs and listens on free ports:
 * GraphQL at `base`, metrics at `metricsBase`.
 */
export async function startGateway(
  environment: Record<string, string>,
  logger: Logger = testLogger,
  options: Omit<BuildGatewayOptions, 'config' | 'logger'> = {},
): Promise<RunningGateway> {
  const config = loadGatewayConfig({ LOG_LEVEL: 'silent', SUBGRAPH_SHARED_SECRET: STUB_SECRET, REDIS_PREFIX: `dishpatch-test-gateway-${process.pid}:`, ...environment });
  const app = await buildGateway({ ...options, config, logger });
  const port = await app.http.listen(0, '127.0.0.1');
  const metricsPort = await app.metricsHttp.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return {
    app,
    base,
    metricsBase: `http://127.0.0.1:${metricsPort}`,
    post,
    async query<TData>(query: string, options: { variables?: Record<string, unknown>; headers?: Record<string, string> } = {}) {
      const response = await post(JSON.stringify({ query, variables: options.variables }), options.headers);
      return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLBody<TData> };
    },
  };
}
