import type { IncomingHttpHeaders } from 'node:http';
import { Kind, OperationTypeNode, parse, type ParseOptions } from 'graphql';
import type { GraphQLAnswerer, GraphQLHttpResponse } from '@dishpatch/shared/http';
import type { ViewerWrites } from './viewer-writes.js';

/**
 * The request headers a query's answer can depend on: the viewer (`authorization`, `cookie`),
 * the response's format (`accept`), how Apollo Server reads the body (`content-type`) and its
 * CSRF rules (`apollo-require-preflight`, `x-apollo-operation-name`). The others (request id,
 * user agent, client address) go to logs, and to login rate limits, which are mutations.
 */
const ANSWER_HEADERS = ['authorization', 'cookie', 'accept', 'content-type', 'apollo-require-preflight', 'x-apollo-operation-name'] as const;

/** Distinct documents whose operations are remembered; past it the memory starts over (a client sending ever-new documents parses each twice). */
const MAX_REMEMBERED_DOCUMENTS = 1000;

/** An answer every caller of the same key may be given: whole, 200, and without errors (which the formatter may tie to one request). */
interface SharedAnswer {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

/**
 * `"errors":` can stand in a JSON text only as a key: inside a string its quotes are escaped.
 * A key that is not the top-level one (an alias named `errors`) only makes the answer unshared.
 */
function shareable(response: GraphQLHttpResponse): SharedAnswer | undefined {
  if (response.status !== 200 || typeof response.body !== 'string' || response.body.includes('"errors":')) return undefined;
  return { status: response.status, headers: [...response.headers], body: response.body };
}

/**
 * Identical client queries in flight at the same moment share one execution: the same body
 * (document, operation, variables, extensions) and the same headers an answer can depend on,
 * the Authorization above all, so only callers who would get the same answer share it; a
 * query sent after its viewer's mutation was answered joins only work started after it
 * (`ViewerWrites`). This is `sharingInflightQueries` one step earlier: a crowd asking for the
 * menu at once costs one plan, one shaping and one serialization instead of one each. Each
 * caller keeps its own request id, log line and metrics.
 *
 * Only a POST of one query operation shares; a mutation, a subscription, a batch, a GET or a
 * body Apollo Server must refuse always runs on its own. An answer with errors, or of another
 * status than 200, or streamed (incremental delivery), is not shared: each caller waiting on it
 * then runs its own request.
 */
export function sharingIdenticalQueries<TContext>(
  answer: GraphQLAnswerer<TContext>,
  options: { parseOptions: ParseOptions; writes: ViewerWrites },
): GraphQLAnswerer<TContext> {
  const { parseOptions, writes } = options;
  const inflight = new Map<string, Promise<SharedAnswer | undefined>>();
  const operationKinds = new Map<string, Map<string, OperationTypeNode> | undefined>();

  /** Each named operation's kind (and `''` for a lone anonymous one); undefined for a document that does not parse. */
  const operationsOf = (query: string): Map<string, OperationTypeNode> | undefined => {
    if (operationKinds.has(query)) return operationKinds.get(query);
    let kinds: Map<string, OperationTypeNode> | undefined;
    try {
      const operations = parse(query, parseOptions).definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
      kinds = new Map(operations.map((operation) => [operation.name?.value ?? '', operation.operation]));
      if (operations.length === 1) kinds.set('', operations[0]!.operation);
    } catch {
      kinds = undefined;
    }
    if (operationKinds.size >= MAX_REMEMBERED_DOCUMENTS) operationKinds.clear();
    operationKinds.set(query, kinds);
    return kinds;
  };

  const isQuery = (body: unknown): body is { query: string; operationName?: unknown } => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
    const { query, operationName } = body as Record<string, unknown>;
    if (typeof query !== 'string' || (operationName !== undefined && operationName !== null && typeof operationName !== 'string')) return false;
    return operationsOf(query)?.get(operationName ?? '') === OperationTypeNode.QUERY;
  };

  return async (request, context) => {
    if (request.method !== 'POST' || !isQuery(request.body)) return answer(request, context);
    const mark = writes.markOf(request.headers.authorization);
    const key = `${mark}\n${ANSWER_HEADERS.map((name) => headerValue(request.headers, name)).join('\n')}\n${JSON.stringify(request.body)}`;
    const shared = inflight.get(key);
    if (shared !== undefined) return (await shared) ?? answer(request, context);

    const own = answer(request, context);
    const sharing = own.then(shareable, () => undefined);
    inflight.set(key, sharing);
    void sharing.then(() => inflight.delete(key));
    return own;
  };
}
