import { ApolloClient, ApolloLink, InMemoryCache, gql } from '@apollo/client';
import { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { authLink } from '../src/apollo/auth-link';
import { Session, type SessionGrant } from '../src/auth/session';
import { MemoryStorage } from './memory-storage';

const grant = (n: number): SessionGrant => ({
  accessToken: `access-${n}`,
  accessTokenExpiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
  refreshToken: `refresh-${n}`,
  user: { id: 'u1', username: 'ada', role: 'CUSTOMER' },
});
const UNAUTHENTICATED = { errors: [{ message: 'Access token expired', extensions: { code: 'UNAUTHENTICATED' } }] };

/** A server that accepts only `valid` tokens: records the Authorization header of every request. */
function fakeServer(valid: (authorization: string | undefined) => boolean, emit: (observer: { next: (value: ApolloLink.Result) => void; complete: () => void }, authorization: string | undefined) => void) {
  const seen: (string | undefined)[] = [];
  const link = new ApolloLink((operation) => {
    const authorization = (operation.getContext()['headers'] as Record<string, string> | undefined)?.['authorization'];
    seen.push(authorization);
    return new Observable((observer) => {
      if (!valid(authorization)) {
        observer.next(UNAUTHENTICATED);
        observer.complete();
      } else emit(observer, authorization);
    });
  });
  return { seen, link };
}

function signedInSession(refreshes: string[]) {
  let next = 2;
  const session = new Session(new MemoryStorage(), async (token) => {
    refreshes.push(token);
    return grant(next++);
  });
  session.begin(grant(1));
  return session;
}

describe('authLink', () => {
  it('queues concurrent refused queries behind one refresh and retries each once with the new token', async () => {
    const refreshes: string[] = [];
    const session = signedInSession(refreshes);
    const server = fakeServer(
      (authorization) => authorization === 'Bearer access-2',
      (observer) => {
        observer.next({ data: { me: { __typename: 'User', id: 'u1' } } });
        observer.complete();
      },
    );
    const client = new ApolloClient({ link: ApolloLink.from([authLink(session), server.link]), cache: new InMemoryCache() });
    const results = await Promise.all(
      [1, 2, 3].map((n) => client.query({ query: gql`query Me${n} { me { id } }`, fetchPolicy: 'network-only' })),
    );
    expect(results.map((result) => result.data)).toEqual(Array(3).fill({ me: { __typename: 'User', id: 'u1' } }));
    expect(refreshes).toEqual(['refresh-1']);
    expect(server.seen.filter((header) => header === 'Bearer access-1')).toHaveLength(3);
    expect(server.seen.filter((header) => header === 'Bearer access-2')).toHaveLength(3);
  });

  it('gives up after one retry when the new token is refused too', async () => {
    const refreshes: string[] = [];
    const session = signedInSession(refreshes);
    const server = fakeServer(() => false, () => undefined);
    const client = new ApolloClient({ link: ApolloLink.from([authLink(session), server.link]), cache: new InMemoryCache() });
    await expect(client.query({ query: gql`query Me { me { id } }` })).rejects.toThrow('Access token expired');
    expect(server.seen).toEqual(['Bearer access-1', 'Bearer access-2']);
  });

  it('refreshes and subscribes again when the server ends a subscription with UNAUTHENTICATED', async () => {
    const refreshes: string[] = [];
    const session = signedInSession(refreshes);
    let accepted = 'Bearer access-1';
    const server = fakeServer(
      (authorization) => authorization === accepted,
      (observer, authorization) => {
        observer.next({ data: { menuUpdates: [{ __typename: 'Dish', id: authorization }] } });
        // The token expires while subscribed: the server ends the subscription.
        accepted = 'Bearer access-2';
        if (authorization === 'Bearer access-1') {
          observer.next(UNAUTHENTICATED);
          observer.complete();
        }
      },
    );
    const client = new ApolloClient({ link: ApolloLink.from([authLink(session), server.link]), cache: new InMemoryCache() });
    const ids = await new Promise<unknown[]>((resolve) => {
      const received: unknown[] = [];
      client.subscribe({ query: gql`subscription { menuUpdates { id } }` }).subscribe((result) => {
        received.push((result.data as { menuUpdates: { id: string }[] }).menuUpdates[0]!.id);
        if (received.length === 2) resolve(received);
      });
    });
    expect(ids).toEqual(['Bearer access-1', 'Bearer access-2']);
    expect(refreshes).toEqual(['refresh-1']);
  });
});
