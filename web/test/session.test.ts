import { describe, expect, it } from 'vitest';
import { REFRESH_TOKEN_KEY, Session, SessionEnded, type SessionGrant } from '../src/auth/session';
import { MemoryStorage } from './memory-storage';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const grant = (n: number): SessionGrant => ({
  accessToken: `access-${n}`,
  accessTokenExpiresAt: new Date(NOW + 15 * 60_000).toISOString(),
  refreshToken: `refresh-${n}`,
  user: { id: 'u1', username: 'ada', role: 'CUSTOMER' },
});

/** A refreshSession the test answers by hand, counting the calls. */
function controlledRefresh() {
  const calls: string[] = [];
  let answer: { resolve: (grant: SessionGrant) => void; reject: (error: unknown) => void } | undefined;
  const refresh = (token: string) => {
    calls.push(token);
    return new Promise<SessionGrant>((resolve, reject) => (answer = { resolve, reject }));
  };
  return { calls, refresh, answer: () => answer! };
}

describe('Session', () => {
  it('keeps the refresh token in storage and the access token in memory only', () => {
    const storage = new MemoryStorage();
    const session = new Session(storage, controlledRefresh().refresh, () => NOW);
    session.begin(grant(1));
    expect(storage.getItem(REFRESH_TOKEN_KEY)).toBe('refresh-1');
    expect(JSON.stringify([...storage.items])).not.toContain('access-1');
  });

  it('sends many rejected requests through one refresh, and all retry with its token', async () => {
    const server = controlledRefresh();
    const session = new Session(new MemoryStorage(), server.refresh, () => NOW);
    session.begin(grant(1));
    const waiting = Array.from({ length: 5 }, () => session.renewAfterRejection('access-1'));
    const asking = session.token();
    server.answer().resolve(grant(2));
    expect(await Promise.all([...waiting, asking])).toEqual(Array(6).fill('access-2'));
    expect(server.calls).toEqual(['refresh-1']);
    // A request refused with the old token after the refresh is retried with the new one, without another refresh.
    expect(await session.renewAfterRejection('access-1')).toBe('access-2');
    expect(server.calls).toHaveLength(1);
  });

  it('refreshes an expired access token before it is sent, and after a reload from the kept refresh token', async () => {
    const storage = new MemoryStorage();
    storage.setItem(REFRESH_TOKEN_KEY, 'refresh-1');
    const server = controlledRefresh();
    const session = new Session(storage, server.refresh, () => NOW);
    expect(session.viewer).toBeNull();
    const token = session.token();
    server.answer().resolve(grant(2));
    expect(await token).toBe('access-2');
    expect(session.viewer?.username).toBe('ada');
    expect(storage.getItem(REFRESH_TOKEN_KEY)).toBe('refresh-2');
  });

  it('signs out when the server refuses the refresh token, and keeps the session when the network fails', async () => {
    const server = controlledRefresh();
    const session = new Session(new MemoryStorage(), server.refresh, () => NOW);
    session.begin(grant(1));
    const offline = session.renewAfterRejection('access-1');
    server.answer().reject(new TypeError('Failed to fetch'));
    await expect(offline).rejects.toThrow('Failed to fetch');
    expect(session.hasRefreshToken).toBe(true);

    const refused = session.renewAfterRejection('access-1');
    server.answer().reject(new SessionEnded('refresh token revoked'));
    expect(await refused).toBeNull();
    expect(session.viewer).toBeNull();
    expect(session.hasRefreshToken).toBe(false);
  });
});
