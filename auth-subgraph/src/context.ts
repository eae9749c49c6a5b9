import type { IncomingMessage } from 'node:http';
import DataLoader from 'dataloader';
import type { AuthenticatedContext } from '@dishpatch/shared/authorization';
import type { Authentication, TokenVerifier } from '@dishpatch/shared/tokens';
import type { UserRecord } from './entities/user.js';
import type { ClientInfo, SessionService } from './sessions/session-service.js';
import type { UserService } from './users/user-service.js';

export interface AuthContext extends AuthenticatedContext {
  auth: Authentication;
  client: ClientInfo;
  users: UserService;
  sessions: SessionService;
  /** Per request, so a batch of references costs one query and nothing is cached across callers. */
  loaders: { userById: DataLoader<string, UserRecord | null> };
}

const MAX_ADDRESS_LENGTH = 64;
const MAX_USER_AGENT_LENGTH = 512;

/**
 * The client's address: the first x-forwarded-for entry when a proxy (the gateway) forwards
 * one, else the socket's peer.
 */
export function clientInfoOf(req: IncomingMessage): ClientInfo {
  const forwarded = req.headers['x-forwarded-for'];
  const firstForwarded = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  const address = firstForwarded || req.socket.remoteAddress || 'unknown';
  const userAgent = req.headers['user-agent'];
  return {
    address: address.slice(0, MAX_ADDRESS_LENGTH),
    userAgent: userAgent ? userAgent.slice(0, MAX_USER_AGENT_LENGTH) : null,
  };
}

export function createContextFactory(services: { verifier: TokenVerifier; users: UserService; sessions: SessionService }) {
  return async (req: IncomingMessage): Promise<AuthContext> => ({
    auth: await services.verifier.authenticate(req.headers.authorization),
    client: clientInfoOf(req),
    users: services.users,
    sessions: services.sessions,
    loaders: { userById: new DataLoader((ids: readonly string[]) => services.users.findByIds(ids)) },
  });
}
