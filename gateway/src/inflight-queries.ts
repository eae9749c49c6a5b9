import type { ViewerWrites } from './viewer-writes.js';

/**
 * SubgraphDataSource serializes every subgraph request as `{"query":"<operation>",...}`, the
 * operation text first. Only a query (keyword or `{` shorthand) may share a round trip; a
 * body of any other shape, a mutation above all, always makes its own request.
 */
const QUERY_BODY = /^\{"query":"(?:query\b|\{)/;

/** A subgraph's answer read whole, as text: each caller parses its own copy. */
export interface SubgraphAnswer {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

/** A POST of a subgraph request: its headers (names in lower case) and its JSON body. */
export interface SubgraphRequest {
  headers: Record<string, string>;
  body: string;
}

export type SubgraphPost = (url: string, request: SubgraphRequest) => Promise<SubgraphAnswer>;

/**
 * Identical subgraph queries in flight at the same moment share one HTTP round trip: the
 * same URL, the same Authorization and the same body (operation text and variables), so
 * only callers who would get the same answer share it; a fetch made after its viewer's
 * mutation was answered joins only fetches made after it (`ViewerWrites`). The answer is text,
 * so each caller builds objects of its own and none can see another's. Mutations never share.
 *
 * The caller's other forwarded headers (request id, user agent, client address) go out with
 * the first caller's request only: the subgraphs use them for logs and for login rate
 * limits, which are mutations.
 */
export function sharingInflightQueries(post: SubgraphPost, writes: ViewerWrites): SubgraphPost {
  const inflight = new Map<string, Promise<SubgraphAnswer>>();

  return (url, request) => {
    const { body } = request;
    if (!QUERY_BODY.test(body)) return post(url, request);
    const authorization = request.headers['authorization'];
    const key = `${writes.markOf(authorization)}\n${url}\n${authorization ?? ''}\n${body}`;
    let answer = inflight.get(key);
    if (answer === undefined) {
      answer = post(url, request);
      inflight.set(key, answer);
      const forget = () => inflight.delete(key);
      answer.then(forget, forget);
    }
    return answer;
  };
}
