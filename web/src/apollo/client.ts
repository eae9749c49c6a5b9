import { ApolloClient, ApolloLink, HttpLink } from '@apollo/client';
import { print } from 'graphql';
import { RefreshSessionDocument } from '../auth/operations';
import { Session, SessionEnded, type RefreshSession, type SessionGrant } from '../auth/session';
import { authLink } from './auth-link';
import { createCache } from './cache';

export const GRAPHQL_PATH = '/graphql';

interface RefreshResponse {
  data?: { refreshSession?: SessionGrant } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/**
 * refreshSession over plain fetch, outside Apollo's link chain (which waits for this very
 * refresh). A refused token ends the session; anything else (network, SERVICE_UNAVAILABLE)
 * is thrown as it is, and the session is kept for the next try.
 */
const refreshOverHttp: RefreshSession = async (refreshToken) => {
  const response = await fetch(GRAPHQL_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: print(RefreshSessionDocument), variables: { refreshToken } }),
  });
  const result = (await response.json()) as RefreshResponse;
  const grant = result.data?.refreshSession;
  if (grant) return grant;
  const code = result.errors?.[0]?.extensions?.code;
  if (code === 'UNAUTHENTICATED' || code === 'BAD_USER_INPUT') throw new SessionEnded(result.errors?.[0]?.message);
  throw new Error(result.errors?.[0]?.message ?? `refreshSession answered ${response.status}`);
};

export function createSession(): Session {
  return new Session(sessionStorage, refreshOverHttp);
}

/** One client for the app: queries, mutations and (multipart) subscriptions all go through HttpLink. */
export function createApolloClient(session: Session): ApolloClient {
  return new ApolloClient({
    link: ApolloLink.from([authLink(session), new HttpLink({ uri: GRAPHQL_PATH })]),
    cache: createCache(),
  });
}
