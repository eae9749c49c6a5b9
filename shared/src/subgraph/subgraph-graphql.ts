import {
  BREAK,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  execute,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  visit,
  type ASTNode,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ParseOptions,
  type ValidationRule,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { ErrorFormatter } from '../errors.js';
import type { GraphQLAnswerer, GraphQLHttpResponse } from '../http/http-server.js';
import type { Logger } from '../observability/logger.js';

export interface SubgraphGraphQLOptions {
  /** The federated schema (`buildSubgraphSchema`): `_service`, `_entities` and the subgraph's own fields. */
  schema: GraphQLSchema;
  /** The allow-list formatter (errors.ts); gets each error as graphql-js writes it, the error itself and the request's logger. */
  formatError: ErrorFormatter;
  /** The request guards' rules (depth, aliases, directives, cost), run after graphql-js's own. */
  validationRules: readonly ValidationRule[];
  /** The guards' token limit, which bounds parsing before anything else runs. */
  parseOptions: ParseOptions;
  /** Off in production, as Apollo Server had it: `_service { sdl }` still answers (composition reads it), `__schema` does not. */
  introspection: boolean;
  /** Distinct valid operations kept compiled. Default 1,000 (the gateway sends a few dozen shapes). */
  operationCacheSize?: number;
}

const JSON_HEADERS: Array<[string, string]> = [['content-type', 'application/json; charset=utf-8']];

/** What an answer with no data says: the whole request failed before or instead of executing. */
function failure(status: number, errors: GraphQLFormattedError[], headers: Array<[string, string]> = []): GraphQLHttpResponse {
  return { status, headers: [...JSON_HEADERS, ...headers], body: JSON.stringify({ errors }) };
}

/** True when a variable sits anywhere inside `node`. */
function holdsVariable(node: ASTNode): boolean {
  let found = false;
  visit(node, {
    Variable() {
      found = true;
      return BREAK;
    },
  });
  return found;
}

/**
 * True when a variable sits inside a list or object literal, as in `_entities(representations:
 * [{ __typename: "User", id: $id }])`: graphql-jit hands such a literal to a custom scalar
 * (`_Any`) without the variable's value, so these documents run on graphql-js, which does.
 * The gateway never sends one (it passes representations as a variable of their own).
 */
function nestsVariablesInLiterals(document: DocumentNode): boolean {
  let found = false;
  const inspect = (node: ASTNode) => {
    if (holdsVariable(node)) found = true;
    return false;
  };
  visit(document, { ListValue: inspect, ObjectValue: inspect });
  return found;
}

/** An operation that graphql-jit cannot run as graphql-js would, run by graphql-js. */
function interpreted(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): Pick<CompiledQuery, 'query'> {
  return { query: (root, contextValue, variableValues) => execute({ schema, document, rootValue: root, contextValue, variableValues, operationName }) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A subgraph's GraphQL over HTTP: each distinct operation parsed and validated by graphql-js
 * once, compiled by graphql-jit into a function of its own, and run. The only caller is the
 * gateway (HttpService refuses anyone without its secret), which POSTs JSON and a handful of
 * operation shapes, so neither Apollo Server's per-request pipeline (plugin dispatch, document
 * hashing, a wrapper on every field resolver) nor graphql-js's generic walk of the document on
 * every request buys anything here. Together they were about a third of the orders subgraph's
 * CPU per staff page of 20 orders (`npm run bench`, measurement 2b). The answers keep Apollo
 * Server's status codes and error codes (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED,
 * BAD_USER_INPUT for variables, BAD_REQUEST, OPERATION_RESOLUTION_FAILURE), which the gateway
 * and the trust-boundary tests rely on, and every error still passes through the one formatter.
 */
export function subgraphGraphQL<TContext>(options: SubgraphGraphQLOptions): GraphQLAnswerer<TContext> {
  const { schema } = options;
  const rules = [...specifiedRules, ...options.validationRules, ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  const cacheSize = options.operationCacheSize ?? 1000;
  /** Operation name and query text → the compiled operation, oldest first (a Map keeps insertion order). */
  const operations = new Map<string, Pick<CompiledQuery, 'query'>>();

  /** A request-level failure takes the code of its stage, whatever a validation rule put there (as in Apollo Server). */
  const format = (log: Logger, error: GraphQLError, code?: string): GraphQLFormattedError => {
    const formatted = error.toJSON();
    return options.formatError(code === undefined ? formatted : { ...formatted, extensions: { ...formatted.extensions, code } }, error, log);
  };
  const badRequest = (log: Logger, message: string) => failure(400, [format(log, new GraphQLError(message), 'BAD_REQUEST')]);

  /** The operation, parsed, validated and compiled, or the answer that refuses it. */
  const operationFor = (log: Logger, query: string, operationName: string | undefined): Pick<CompiledQuery, 'query'> | GraphQLHttpResponse => {
    const key = `${operationName ?? ''}\n${query}`;
    const known = operations.get(key);
    if (known) return known;
    let document;
    try {
      document = parse(query, options.parseOptions);
    } catch (error) {
      const parseError = error instanceof GraphQLError ? error : new GraphQLError(String(error));
      return failure(400, [format(log, parseError, 'GRAPHQL_PARSE_FAILED')]);
    }
    const invalid = validate(schema, document, rules);
    if (invalid.length > 0) return failure(400, invalid.map((error) => format(log, error, 'GRAPHQL_VALIDATION_FAILED')));
    if (!getOperationAST(document, operationName)) {
      const message = operationName ? `Unknown operation named "${operationName}".` : 'Must provide operation name if query contains multiple operations.';
      return failure(400, [format(log, new GraphQLError(message), 'OPERATION_RESOLUTION_FAILURE')]);
    }
    let compiled: Pick<CompiledQuery, 'query'>;
    if (nestsVariablesInLiterals(document)) {
      compiled = interpreted(schema, document, operationName);
    } else {
      const jit = compileQuery(schema, document, operationName);
      if (!isCompiledQuery(jit)) return failure(500, (jit.errors ?? []).map((error) => format(log, error)));
      compiled = jit;
    }
    if (operations.size >= cacheSize) operations.delete(operations.keys().next().value!);
    operations.set(key, compiled);
    return compiled;
  };

  return async (request, createContext) => {
    const { log, body } = request;
    if (request.method !== 'POST') {
      return failure(405, [format(log, new GraphQLError('This service answers GraphQL over POST only'), 'BAD_REQUEST')], [['allow', 'POST']]);
    }
    if (Array.isArray(body)) return badRequest(log, 'Operation batching disabled.');
    if (!isPlainObject(body)) return badRequest(log, 'A GraphQL request is a JSON object sent with content-type application/json');
    const { query, variables, operationName, extensions } = body;
    if (isPlainObject(extensions) && extensions['persistedQuery'] !== undefined) {
      return failure(400, [format(log, new GraphQLError('This service does not take persisted queries'), 'PERSISTED_QUERY_NOT_SUPPORTED')]);
    }
    if (typeof query !== 'string' || query.trim() === '') return badRequest(log, 'GraphQL operations must contain a non-empty `query`');
    if (variables !== undefined && variables !== null && !isPlainObject(variables)) return badRequest(log, '`variables` must be a JSON object');
    if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return badRequest(log, '`operationName` must be a string');

    const operation = operationFor(log, query, operationName ?? undefined);
    if (!('query' in operation)) return operation;

    let contextValue: TContext;
    try {
      contextValue = await createContext();
    } catch (error) {
      return failure(500, [format(log, new GraphQLError('Context creation failed', { originalError: error instanceof Error ? error : undefined }))]);
    }
    const result = await operation.query(undefined, contextValue, variables ?? {});
    // No data at all means the variables did not fit their types: nothing ran.
    if (result.data === undefined) return failure(400, (result.errors ?? []).map((error) => format(log, error, 'BAD_USER_INPUT')));
    const errors = result.errors?.map((error) => format(log, error));
    return { status: 200, headers: JSON_HEADERS, body: JSON.stringify(errors ? { errors, data: result.data } : { data: result.data }) };
  };
}
