import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { BadUserInputError, UnauthenticatedError } from '@dishpatch/shared/errors';
import type { Logger } from '@dishpatch/shared/observability';
import type { Viewer } from '@dishpatch/shared/tokens';
import type { SessionRecord } from '../entities/session.js';
import { userColumns, type UserRecord } from '../entities/user.js';
import type { SigningKeySet } from '../tokens/signing-keys.js';
import { signAccessToken } from '../tokens/access-token-signer.js';
import type { RevocationPublisher } from '../tokens/session-revocation-publisher.js';
import type { LoginRateLimiter, RegistrationRateLimiter } from './login-rate-limiter.js';
import { MAX_PASSWORD_BYTES } from '../users/passwords.js';
import { validEmail } from '../users/user-input.js';
import type { RegistrationInput, UserService } from '../users/user-service.js';

export interface AuthPayloadResult {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  user: UserRecord;
}

/** What is known about the caller's connection; kept on the session for the account owner's sake. */
export interface ClientInfo {
  address: string;
  userAgent: string | null;
}

export interface SessionServiceOptions {
  dataSource: DataSource;
  revocations: RevocationPublisher;
  users: UserService;
  keys: SigningKeySet;
  rateLimiter: LoginRateLimiter;
  registrationLimiter: RegistrationRateLimiter;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Parallel refreshes with one token within this many seconds all succeed (same session); 0 turns it off. */
  refreshTokenReuseGraceSeconds: number;
  /** For lines outside a request; each method also takes the request's logger (its lines carry the request id). */
  logger: Logger;
  /** Called with the outcome of every login, for metrics. */
  onLogin?: (outcome: 'success' | 'failure' | 'rate_limited') => void;
}

/** 256 random bits, URL-safe; only its SHA-256 is stored (the token is unguessable, a slow hash adds nothing). */
const REFRESH_TOKEN_BYTES = 32;
const REFRESH_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

function newRefreshToken(): string {
  return randomBytes(REFRESH_TOKEN_BYTES).toString('base64url');
}

function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The refresh token that follows `token` in its session: the same for every caller who presents
 * it, so parallel refreshes agree, and unknowable without the session's secret, which never
 * leaves the database.
 */
function successorOf(token: string, rotationSecret: string): string {
  return createHmac('sha256', rotationSecret).update(token).digest('base64url');
}

type RotatedSession = UserRecord & { sessionId: string };

/** Sign-in and the life of a session: register, login, refresh (rotation, reuse detection), logout. */
export class SessionService {
  constructor(private readonly options: SessionServiceOptions) {}

  /** Counted per client address before any bcrypt work; the password is hashed before any row is written. */
  async register(input: RegistrationInput, client: ClientInfo, log: Logger = this.options.logger): Promise<AuthPayloadResult> {
    await this.options.registrationLimiter.countAttempt(client.address);
    const registration = await this.options.users.prepareRegistration(input);
    const payload = await this.options.dataSource.transaction(async (manager) => {
      const user = await this.options.users.create(manager, registration);
      return this.start(manager, user, client);
    });
    log.info({ userId: payload.user.id }, 'user registered');
    return payload;
  }

  /**
   * Same error, and a full bcrypt comparison, whether the email is unknown or the password
   * wrong. Every attempt is counted before the password is checked; a success takes it back.
   */
  async login(input: { email: string; password: string }, client: ClientInfo, log: Logger = this.options.logger): Promise<AuthPayloadResult> {
    // The address rules of registration: a NUL or control character would otherwise reach
    // PostgreSQL (which refuses it) and come back as an internal error.
    const email = validEmail(input.email, 'input.email');
    if (input.password === '') throw new BadUserInputError('input.password', 'must not be empty');
    if (Buffer.byteLength(input.password, 'utf8') > MAX_PASSWORD_BYTES) {
      throw new BadUserInputError('input.password', `must be at most ${MAX_PASSWORD_BYTES} bytes long in UTF-8`);
    }
    try {
      await this.options.rateLimiter.countAttempt(email, client.address);
    } catch (error) {
      this.options.onLogin?.('rate_limited');
      throw error;
    }
    const user = await this.options.users.verifyCredentials(email, input.password);
    if (!user) {
      this.options.onLogin?.('failure');
      log.info('login failed');
      throw new UnauthenticatedError('Email or password is incorrect');
    }
    await this.options.rateLimiter.forgetAttempt(email, client.address);
    const payload = await this.options.dataSource.transaction((manager) => this.start(manager, user, client));
    this.options.onLogin?.('success');
    log.info({ userId: user.id }, 'user logged in');
    return payload;
  }

  /**
   * Rotates a refresh token with a conditional statement: the session row is updated only while
   * it still holds this token, is live and unexpired, so of concurrent refreshes exactly one
   * rotates. The next token is derived from the presented one (successorOf), so the others,
   * arriving within the grace window, are answered with the same next token and a fresh access
   * token of the same session: a client's parallel requests do not sign it out. The old hash is
   * recorded in the same statement; presenting it after the window means two parties hold the
   * session, so it is revoked for both. The role is read from the database now, so role changes show.
   */
  async refresh(refreshToken: string, client: ClientInfo, log: Logger = this.options.logger): Promise<AuthPayloadResult> {
    if (!REFRESH_TOKEN_PATTERN.test(refreshToken)) throw new UnauthenticatedError('Invalid refresh token');
    const presentedHash = hashRefreshToken(refreshToken);
    const [current] = (await this.options.dataSource.query(
      `SELECT id, rotation_secret AS "rotationSecret" FROM sessions
        WHERE refresh_token_hash = $1 AND revoked_at IS NULL AND expires_at > now()`,
      [presentedHash],
    )) as Array<{ id: string; rotationSecret: string }>;
    if (current) {
      const nextToken = successorOf(refreshToken, current.rotationSecret);
      const [row] = (await this.options.dataSource.query(
        `WITH rotated AS (
           UPDATE sessions
              SET refresh_token_hash = $3,
                  refreshed_at = now(),
                  expires_at = now() + make_interval(secs => $4),
                  user_agent = coalesce($5, user_agent),
                  ip_address = $6
            WHERE id = $1 AND refresh_token_hash = $2 AND revoked_at IS NULL AND expires_at > now()
            RETURNING id, user_id
         ), recorded AS (
           INSERT INTO rotated_refresh_tokens (token_hash, session_id) SELECT $2, id FROM rotated
         )
         SELECT rotated.id AS "sessionId", ${userColumns('u')}
           FROM rotated JOIN users u ON u.id = rotated.user_id`,
        [current.id, presentedHash, hashRefreshToken(nextToken), this.options.refreshTokenTtlSeconds, client.userAgent, client.address],
      )) as RotatedSession[];
      if (row) return this.refreshed(row, nextToken, log);
    }
    const parallel = await this.parallelRefresh(refreshToken, presentedHash, log);
    if (parallel) return parallel;
    return this.refuseRefresh(presentedHash, log);
  }

  /**
   * A token rotated out less than the grace window ago, whose successor is still the session's
   * current token: a parallel refresh of the same client, answered like the one that rotated.
   */
  private async parallelRefresh(refreshToken: string, presentedHash: string, log: Logger): Promise<AuthPayloadResult | undefined> {
    if (this.options.refreshTokenReuseGraceSeconds <= 0) return undefined;
    const [recent] = (await this.options.dataSource.query(
      `SELECT s.id AS "sessionId", s.rotation_secret AS "rotationSecret", s.refresh_token_hash AS "currentHash", ${userColumns('u')}
         FROM rotated_refresh_tokens r
         JOIN sessions s ON s.id = r.session_id
         JOIN users u ON u.id = s.user_id
        WHERE r.token_hash = $1 AND r.rotated_at > now() - make_interval(secs => $2)
          AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [presentedHash, this.options.refreshTokenReuseGraceSeconds],
    )) as Array<RotatedSession & { rotationSecret: string; currentHash: string }>;
    if (!recent) return undefined;
    const { rotationSecret, currentHash, ...row } = recent;
    const nextToken = successorOf(refreshToken, rotationSecret);
    if (hashRefreshToken(nextToken) !== currentHash.trim()) return undefined;
    return this.refreshed(row, nextToken, log);
  }

  private refreshed(row: RotatedSession, nextToken: string, log: Logger): AuthPayloadResult {
    const { sessionId, ...user } = row;
    const access = this.signFor(user, sessionId);
    log.info({ userId: user.id, sessionId }, 'session refreshed');
    return { accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken: nextToken, user };
  }

  /** Revokes the caller's session: its refresh token stops at once, its access tokens within a second everywhere. */
  async logout(viewer: Viewer, log: Logger = this.options.logger): Promise<boolean> {
    await this.options.dataSource.query(
      `UPDATE sessions SET revoked_at = now(), revoked_reason = 'LOGOUT'
        WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`,
      [viewer.sessionId, viewer.userId],
    );
    await this.announceRevocation(viewer.sessionId);
    log.info({ userId: viewer.userId, sessionId: viewer.sessionId }, 'logged out');
    return true;
  }

  /** Opens a session for a user inside the caller's transaction and issues its first token pair. */
  private async start(manager: EntityManager, user: UserRecord, client: ClientInfo): Promise<AuthPayloadResult> {
    const refreshToken = newRefreshToken();
    const [session] = (await manager.query(
      `INSERT INTO sessions (user_id, refresh_token_hash, expires_at, user_agent, ip_address, rotation_secret)
       VALUES ($1, $2, now() + make_interval(secs => $3), $4, $5, $6)
       RETURNING id`,
      [
        user.id,
        hashRefreshToken(refreshToken),
        this.options.refreshTokenTtlSeconds,
        client.userAgent,
        client.address,
        randomBytes(32).toString('hex'),
      ],
    )) as [{ id: string }];
    const access = this.signFor(user, session.id);
    return { accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken, user };
  }

  private signFor(user: UserRecord, sessionId: string) {
    return signAccessToken(
      this.options.keys.signingKey,
      { userId: user.id, role: user.role, sessionId },
      this.options.accessTokenTtlSeconds,
      user.tokensValidAfter,
    );
  }

  /** Why a refresh failed; a rotated-out token revokes its whole session (the thief's and the owner's). */
  private async refuseRefresh(presentedHash: string, log: Logger): Promise<never> {
    const revoked: Array<Pick<SessionRecord, 'id' | 'userId'>> = await this.options.dataSource.query(
      `WITH revoked AS (
         UPDATE sessions
            SET revoked_at = coalesce(revoked_at, now()),
                revoked_reason = coalesce(revoked_reason, 'REFRESH_TOKEN_REUSE')
          WHERE id = (SELECT session_id FROM rotated_refresh_tokens WHERE token_hash = $1)
          RETURNING id, user_id
       )
       SELECT id, user_id AS "userId" FROM revoked`,
      [presentedHash],
    );
    const reused = revoked[0];
    if (reused) {
      await this.announceRevocation(reused.id);
      log.warn({ userId: reused.userId, sessionId: reused.id }, 'refresh token reused; session revoked');
      throw new UnauthenticatedError('Refresh token was already used; the session has been signed out');
    }
    throw new UnauthenticatedError('Refresh token is invalid, expired or signed out');
  }

  private announceRevocation(sessionId: string): Promise<void> {
    return this.options.revocations.revokeSession(sessionId);
  }
}
