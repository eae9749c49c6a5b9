import { ApolloLink } from '@apollo/client';
import { CombinedProtocolErrors } from '@apollo/client/errors';
import { OperationTypeNode } from 'graphql';
import { Observable, type Subscription } from 'rxjs';
import type { Session } from '../auth/session';

interface CodedError {
  extensions?: { code?: unknown } | null | undefined;
}

function includesUnauthenticated(errors: readonly CodedError[] | undefined): boolean {
  return errors?.some((error) => error.extensions?.code === 'UNAUTHENTICATED') ?? false;
}

/**
 * Sends the session's access token with every operation. An operation answered UNAUTHENTICATED
 * (the token expired or was revoked, e.g. after a role change) waits for the session's single
 * refresh and is sent again once. A subscription that the server ends with UNAUTHENTICATED is
 * refreshed and subscribed again; it may do so again later, but only after it has delivered
 * something since, so a refused token never loops.
 */
export function authLink(session: Session): ApolloLink {
  return new ApolloLink((operation, forward) => {
    const isSubscription = operation.operationType === OperationTypeNode.SUBSCRIPTION;
    return new Observable<ApolloLink.Result>((observer) => {
      let attempt: Subscription | undefined;
      let closed = false;
      let mayRetry = true;

      const send = (token: string | null) => {
        if (closed) return;
        // Set when this attempt is given up for a retry: whatever it still says is not passed on.
        let abandoned = false;
        operation.setContext(({ headers }) => ({
          headers: { ...(headers as Record<string, string> | undefined), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        }));
        const retry = () => {
          if (!token || !mayRetry) return false;
          mayRetry = false;
          abandoned = true;
          attempt?.unsubscribe();
          session.renewAfterRejection(token).then(
            (renewed) => (renewed ? send(renewed) : observer.error(new Error('Your session has ended: sign in again'))),
            (error: unknown) => observer.error(error),
          );
          return true;
        };
        attempt = forward(operation).subscribe({
          next: (result) => {
            if (abandoned || (includesUnauthenticated(result.errors) && retry())) return;
            if (isSubscription) mayRetry = true;
            observer.next(result);
          },
          error: (error: unknown) => {
            if (abandoned || (CombinedProtocolErrors.is(error) && includesUnauthenticated(error.errors) && retry())) return;
            observer.error(error);
          },
          complete: () => {
            if (!abandoned) observer.complete();
          },
        });
        if (abandoned) attempt.unsubscribe();
      };

      session.token().then(send, (error: unknown) => observer.error(error));
      return () => {
        closed = true;
        attempt?.unsubscribe();
      };
    });
  });
}
