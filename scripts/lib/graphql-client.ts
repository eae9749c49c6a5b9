export interface GraphQLErrorEntry {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

/** A GraphQL response with errors; `code` is the first error's code. */
export class GraphQLRequestError extends Error {
  override name = 'GraphQLRequestError';
  readonly code: string | undefined;

  constructor(readonly errors: GraphQLErrorEntry[]) {
    super(errors.map((error) => `${error.extensions?.code ?? 'ERROR'}: ${error.message}`).join('; '));
    this.code = errors[0]?.extensions?.code;
  }
}

/** POSTs one operation; resolves with `data`, rejects with GraphQLRequestError when the response has errors. */
export async function requestGraphQL<TData>(
  url: string,
  query: string,
  options: { variables?: Record<string, unknown>; token?: string; headers?: Record<string, string> } = {},
): Promise<TData> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers, ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
    body: JSON.stringify({ query, variables: options.variables }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await response.json()) as { data?: TData; errors?: GraphQLErrorEntry[] };
  if (body.errors && body.errors.length > 0) throw new GraphQLRequestError(body.errors);
  if (body.data === undefined) throw new Error(`${url} answered ${response.status} without data`);
  return body.data;
}
