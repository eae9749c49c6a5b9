export type SessionRevocationReason = 'LOGOUT' | 'REFRESH_TOKEN_REUSE';

/** A row of `sessions`: one login, inside which the refresh token rotates. */
export interface SessionRecord {
  id: string;
  userId: string;
  /** SHA-256 (hex) of the current refresh token; the token itself is never stored. */
  refreshTokenHash: string;
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason: SessionRevocationReason | null;
  userAgent: string | null;
  ipAddress: string | null;
  createdAt: Date;
  refreshedAt: Date | null;
}

/** A refresh token that was rotated out: presenting it again is proof of theft, so its session is revoked. */
export interface RotatedRefreshTokenRecord {
  tokenHash: string;
  sessionId: string;
  rotatedAt: Date;
}
