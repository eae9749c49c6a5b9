import type { Fetcher, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
import { Headers, Response } from 'undici';

/**
 * Apollo Gateway serializes every subgraph request as `{"query":"<operation>",...}`, the
 * operation text first. Only a query (keyword or `{` shorthand) may share a round trip; a
 * body of any other shape, a mutation above all, always makes its own request.
 */
const QUERY_BODY = /^\{"query":"(?:query\b|\{)/;

interface SharedAnswer {
  status: number;
  statusText: string;
  headers: Headers;
  text: string;
}

/**
 * Identical subgraph queries in flight at the same moment share one HTTP round trip: the
 * same URL, the same Authorization and the same body (operation text and variables), so
 * only callers who would get the same answer share it. Each caller still gets a Response of
 * its own, parsed on its own, so no caller can see another's objects. Mutations never share.
 *
 * The caller's other forwarded headers (request id, user agent, client address) go out with
 * the first caller's request only: the subgraphs use them for logs and for login rate
 * limits, which are mutations.
 */
export function sharingInflightQueries(fetcher: Fetcher): Fetcher {
  const inflight = new Map<string, Promise<SharedAnswer>>();

  return async (url: string, init?: FetcherRequestInit): Promise<FetcherResponse> => {
    const body = init?.body;
    if (typeof body !== 'string' || !QUERY_BODY.test(body)) return fetcher(url, init);
    const key = `${url}\n${init?.headers?.['authorization'] ?? ''}\n${body}`;
    let answer = inflight.get(key);
    if (answer === undefined) {
      answer = (async () => {
        const response = await fetcher(url, init);
        return { status: response.status, statusText: response.statusText, headers: new Headers([...response.headers]), text: await response.text() };
      })();
      inflight.set(key, answer);
      const forget = () => inflight.delete(key);
      answer.then(forget, forget);
    }
    const { status, statusText, headers, text } = await answer;
    return new Response(text, { status, statusText, headers });
  };
}
