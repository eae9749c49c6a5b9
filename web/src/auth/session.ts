import type { Role } from '../gql/graphql';

export interface Viewer {
  id: string;
  username: string;
  email?: string | null;
  role: Role;
}

/** What register, login and refreshSession return. */
export interface SessionGrant {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  user: Viewer;
}

/** The refresh token is refused (expired, revoked, rotated out): the session is over. */
export class SessionEnded extends Error {
  override name = 'SessionEnded';
}

/** Exchanges a refresh token for a new grant; rejects with SessionEnded when the server refuses the token. */
export type RefreshSession = (refreshToken: string) => Promise<SessionGrant>;

export const REFRESH_TOKEN_KEY = 'dishpatch.refreshToken';
/** Renew a little before the access token expires, so a request does not leave with a token about to be refused. */
const EXPIRY_MARGIN_MS = 5_000;

/**
 * The signed-in session. The access token lives in this object only (memory); the refresh
 * token in `storage` (the tab's sessionStorage: see web/README.md), so a reload stays signed in.
 * At most one refresh is in flight: every caller that needs a token while it runs waits for it.
 */
export class Session {
  private accessToken: string | null = null;
  private accessTokenExpiresAt = 0;
  private refreshing: Promise<string | null> | null = null;
  private currentViewer: Viewer | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>,
    private readonly refreshSession: RefreshSession,
    private readonly now: () => number = Date.now,
  ) {}

  get viewer(): Viewer | null {
    return this.currentViewer;
  }

  /** A refresh token is kept: the viewer is signed in, or will be once it is exchanged. */
  get hasRefreshToken(): boolean {
    return this.storage.getItem(REFRESH_TOKEN_KEY) !== null;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  begin(grant: SessionGrant): void {
    this.accessToken = grant.accessToken;
    this.accessTokenExpiresAt = Date.parse(grant.accessTokenExpiresAt);
    this.storage.setItem(REFRESH_TOKEN_KEY, grant.refreshToken);
    this.setViewer(grant.user);
  }

  end(): void {
    this.accessToken = null;
    this.accessTokenExpiresAt = 0;
    this.storage.removeItem(REFRESH_TOKEN_KEY);
    this.setViewer(null);
  }

  /** The token to send now: the current one, or a fresh one if it expired; null when signed out. */
  async token(): Promise<string | null> {
    if (this.refreshing) return this.refreshing;
    if (this.accessToken && this.now() < this.accessTokenExpiresAt - EXPIRY_MARGIN_MS) return this.accessToken;
    return this.hasRefreshToken ? this.refresh() : null;
  }

  /**
   * `rejected` was refused with UNAUTHENTICATED: the token to retry with. If another request
   * already renewed it, that token; otherwise one refresh, shared by every caller meanwhile.
   */
  async renewAfterRejection(rejected: string): Promise<string | null> {
    if (this.refreshing) return this.refreshing;
    if (this.accessToken && this.accessToken !== rejected) return this.accessToken;
    return this.refresh();
  }

  private refresh(): Promise<string | null> {
    const refreshToken = this.storage.getItem(REFRESH_TOKEN_KEY);
    if (refreshToken === null) return Promise.resolve(null);
    this.refreshing ??= this.refreshSession(refreshToken)
      .then(
        (grant) => {
          this.begin(grant);
          return grant.accessToken;
        },
        (error: unknown) => {
          if (!(error instanceof SessionEnded)) throw error;
          this.end();
          return null;
        },
      )
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  private setViewer(viewer: Viewer | null): void {
    this.currentViewer = viewer;
    for (const listener of this.listeners) listener();
  }
}
