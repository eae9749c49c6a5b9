import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  execute,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ParseOptions,
  type ValidationRule,
} from 'graphql';
import type { GraphQLAnswerer, GraphQLHttpResponse } from '../http/http-server.js';

export interface SubgraphGraphQLOptions {
  /** The federated schema (`buildSubgraphSchema`): `_service`, `_entities` and the subgraph's own fields. */
  schema: GraphQLSchema;
  /** The allow-list formatter (errors.ts); gets each error as graphql-js writes it and the error itself. */
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** The request guards' rules (depth, aliases, directives, cost), run after graphql-js's own. */
  validationRules: readonly ValidationRule[];
  /** The guards' token limit, which bounds parsing before anything else runs. */
  parseOptions: ParseOptions;
  /** Off in production, as Apollo Server had it: `_service { sdl }` still answers (composition reads it), `__schema` does not. */
  introspection: boolean;
  /** Distinct valid documents kept parsed and validated. Default 1,000 (the gateway sends a few dozen shapes). */
  documentCacheSize?: number;
}

const JSON_HEADERS: Array<[string, string]> = [['content-type', 'application/json; charset=utf-8']];

/** What an answer with no data says: the whole request failed before or instead of executing. */
function failure(status: number, errors: GraphQLFormattedError[], headers: Array<[string, string]> = []): GraphQLHttpResponse {
  return { status, headers: [...JSON_HEADERS, ...headers], body: JSON.stringify({ errors }) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A subgraph's GraphQL over HTTP on graphql-js alone: parse and validate once per distinct
 * document, then execute. The only caller is the gateway (HttpService refuses anyone without its
 * secret), which sends POSTed JSON and a handful of document shapes, so Apollo Server's per-request
 * pipeline bought nothing here: its plugin dispatch, its document hashing and the wrapper it puts on
 * every field resolver of the schema cost the orders subgraph about a tenth of its CPU per staff
 * page (`npm run bench`, measurement 2b). The answers keep Apollo's status codes and error codes
 * (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT for variables, BAD_REQUEST,
 * OPERATION_RESOLUTION_FAILURE), which the gateway and the trust-boundary tests rely on; every
 * error still passes through the one formatter.
 */
export function subgraphGraphQL<TContext>(options: SubgraphGraphQLOptions): GraphQLAnswerer<TContext> {
  const { schema } = options;
  const rules = [...specifiedRules, ...options.validationRules, ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  const cacheSize = options.documentCacheSize ?? 1000;
  /** Query text → its valid document, oldest first (a Map keeps insertion order). */
  const documents = new Map<string, DocumentNode>();

  /** A request-level failure takes the code of its stage, whatever a validation rule put there (as in Apollo Server). */
  const format = (error: GraphQLError, code?: string): GraphQLFormattedError => {
    const formatted = error.toJSON();
    return options.formatError(code === undefined ? formatted : { ...formatted, extensions: { ...formatted.extensions, code } }, error);
  };
  const badRequest = (message: string) => failure(400, [format(new GraphQLError(message), 'BAD_REQUEST')]);

  /** The query's document, parsed and validated, or the answer that refuses it. */
  const documentFor = (query: string): DocumentNode | GraphQLHttpResponse => {
    const known = documents.get(query);
    if (known) return known;
    let document: DocumentNode;
    try {
      document = parse(query, options.parseOptions);
    } catch (error) {
      const parseError = error instanceof GraphQLError ? error : new GraphQLError(String(error));
      return failure(400, [format(parseError, 'GRAPHQL_PARSE_FAILED')]);
    }
    const invalid = validate(schema, document, rules);
    if (invalid.length > 0) return failure(400, invalid.map((error) => format(error, 'GRAPHQL_VALIDATION_FAILED')));
    if (documents.size >= cacheSize) documents.delete(documents.keys().next().value!);
    documents.set(query, document);
    return document;
  };

  return async (request, createContext) => {
    if (request.method !== 'POST') return { ...badRequest('This service answers GraphQL over POST only'), status: 405, headers: [...JSON_HEADERS, ['allow', 'POST']] };
    const { body } = request;
    if (Array.isArray(body)) return badRequest('Operation batching disabled.');
    if (!isPlainObject(body)) return badRequest('A GraphQL request is a JSON object sent with content-type application/json');
    const { query, variables, operationName, extensions } = body;
    if (isPlainObject(extensions) && extensions['persistedQuery'] !== undefined) {
      return failure(400, [format(new GraphQLError('This service does not take persisted queries'), 'PERSISTED_QUERY_NOT_SUPPORTED')]);
    }
    if (typeof query !== 'string' || query.trim() === '') return badRequest('GraphQL operations must contain a non-empty `query`');
    if (variables !== undefined && variables !== null && !isPlainObject(variables)) return badRequest('`variables` must be a JSON object');
    if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return badRequest('`operationName` must be a string');

    const document = documentFor(query);
    if (!('kind' in document)) return document;
    if (!getOperationAST(document, operationName ?? undefined)) {
      const message = operationName ? `Unknown operation named "${operationName}".` : 'Must provide operation name if query contains multiple operations.';
      return failure(400, [format(new GraphQLError(message), 'OPERATION_RESOLUTION_FAILURE')]);
    }

    let contextValue: TContext;
    try {
      contextValue = await createContext();
    } catch (error) {
      return failure(500, [format(new GraphQLError('Context creation failed', { originalError: error instanceof Error ? error : undefined }))]);
    }
    const result = await execute({ schema, document, contextValue, variableValues: variables ?? undefined, operationName: operationName ?? undefined });
    // No data at all means the variables did not fit their types: nothing ran.
    if (result.data === undefined) return failure(400, (result.errors ?? []).map((error) => format(error, 'BAD_USER_INPUT')));
    const errors = result.errors?.map((error) => format(error));
    return { status: 200, headers: JSON_HEADERS, body: JSON.stringify(errors ? { errors, data: result.data } : { data: result.data }) };
  };
}
