import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Closer } from '../lifecycle.js';
import { RedisConnections, REQUEST_COMMAND_TIMEOUT_MS } from '../redis.js';
import { SessionRevocationList } from '../tokens/session-revocation-list.js';
import { TokenVerifier, type TokenVerifierOptions } from '../tokens/token-verifier.js';

export interface TokenVerificationOptions {
  redisUrl: string;
  redisPrefix: string;
  /** Where the keys come from: auth holds its own (`localKeys`), every other subgraph fetches the JWKS (`jwksUrl`). */
  keys: Pick<TokenVerifierOptions, 'localKeys' | 'jwksUrl'>;
  logger: Logger;
  /** Closes the Redis connections and the revocation list, after whatever is added to it later. */
  closer: Closer;
}

/**
 * A subgraph's Redis (a command connection and the revocation subscriber) and the token
 * verifier that checks revocations through it: the same wiring in every subgraph.
 */
export function connectTokenVerification(options: TokenVerificationOptions): { redis: Redis; verifier: TokenVerifier } {
  const { logger, closer } = options;
  const redisConnections = new RedisConnections(options.redisUrl, logger);
  closer.add('redis', () => redisConnections.close());
  // The requests' own connection: a command that Redis does not answer in time fails fast.
  const redis = redisConnections.open('commands', { commandTimeout: REQUEST_COMMAND_TIMEOUT_MS });
  const revocations = new SessionRevocationList(redis, redisConnections.open('revocation subscriber'), options.redisPrefix, logger);
  closer.add('revocation list', () => revocations.close());
  const verifier = new TokenVerifier({ ...options.keys, isRevoked: (token) => revocations.isRevoked(token), logger });
  return { redis, verifier };
}
