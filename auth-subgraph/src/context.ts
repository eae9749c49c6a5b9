import type { IncomingMessage } from 'node:http';
import DataLoader from 'dataloader';
import type { SubgraphContext } from '@dishpatch/shared/subgraph';
import type { UserRecord } from './entities/user.js';
import type { ClientInfo, SessionService } from './sessions/session-service.js';
import type { UserService } from './users/user-service.js';

export interface AuthServices {
  users: UserService;
  sessions: SessionService;
}

export interface AuthLoaders {
  userById: DataLoader<string, UserRecord | null>;
}

export interface AuthContext extends SubgraphContext<AuthServices, AuthLoaders> {
  /** Kept on the session a login opens, and what the login rate limit counts per address. */
  client: ClientInfo;
}

export function createLoaders(services: AuthServices): AuthLoaders {
  return { userById: new DataLoader((ids: readonly string[]) => services.users.findByIds(ids)) };
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
