import { useApolloClient } from '@apollo/client/react';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import { LogoutDocument } from './operations';
import type { Session, SessionGrant, Viewer } from './session';

interface SessionState {
  viewer: Viewer | null;
  /** A kept refresh token is being exchanged after a reload: who is signed in is not known yet. */
  restoring: boolean;
  signIn: (grant: SessionGrant) => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ session, children }: { session: Session; children: ReactNode }) {
  const client = useApolloClient();
  const viewer = useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => session.viewer,
  );
  const [restoring, setRestoring] = useState(() => session.viewer === null && session.hasRefreshToken);
  useEffect(() => {
    if (!restoring) return;
    session.token().finally(() => setRestoring(false));
  }, [session, restoring]);

  const signIn = useCallback(
    async (grant: SessionGrant) => {
      // What the previous viewer saw must not show to the next one.
      await client.clearStore();
      session.begin(grant);
    },
    [client, session],
  );
  const signOut = useCallback(async () => {
    // Signed out here whatever the server answers: if it cannot be reached, the session is
    // forgotten anyway and its tokens expire on their own.
    await client.mutate({ mutation: LogoutDocument }).catch(() => undefined);
    session.end();
    await client.clearStore();
  }, [client, session]);

  const state = useMemo(() => ({ viewer, restoring, signIn, signOut }), [viewer, restoring, signIn, signOut]);
  return <SessionContext.Provider value={state}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}
