import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { GraphQLAnswerer } from './http-server.js';

/** The gateway's engine: Apollo Server's own HTTP handling (incremental delivery, CSRF rules, persisted queries). */
export function answerWithApollo<TContext extends BaseContext>(apollo: ApolloServer<TContext>): GraphQLAnswerer<TContext> {
  return async (request, context) => {
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method, headers, search: request.search, body: request.body },
      context,
    });
    return {
      status: response.status ?? 200,
      headers: response.headers,
      body: response.body.kind === 'complete' ? response.body.string : response.body.asyncIterator,
    };
  };
}
