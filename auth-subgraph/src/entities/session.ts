import { EntitySchema } from 'typeorm';

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

export const SessionEntity = new EntitySchema<SessionRecord>({
  name: 'Session',
  tableName: 'sessions',
  columns: {
    id: { type: 'uuid', primary: true, generated: 'uuid' },
    userId: { type: 'uuid', name: 'user_id' },
    refreshTokenHash: { type: 'char', length: 64, name: 'refresh_token_hash' },
    expiresAt: { type: 'timestamptz', name: 'expires_at' },
    revokedAt: { type: 'timestamptz', name: 'revoked_at', nullable: true },
    revokedReason: { type: 'text', name: 'revoked_reason', nullable: true },
    userAgent: { type: 'varchar', length: 512, name: 'user_agent', nullable: true },
    ipAddress: { type: 'varchar', length: 64, name: 'ip_address', nullable: true },
    createdAt: { type: 'timestamptz', name: 'created_at', createDate: true },
    refreshedAt: { type: 'timestamptz', name: 'refreshed_at', nullable: true },
  },
});

/** A refresh token that was rotated out: presenting it again is proof of theft, so its session is revoked. */
export interface RotatedRefreshTokenRecord {
  tokenHash: string;
  sessionId: string;
  rotatedAt: Date;
}

export const RotatedRefreshTokenEntity = new EntitySchema<RotatedRefreshTokenRecord>({
  name: 'RotatedRefreshToken',
  tableName: 'rotated_refresh_tokens',
  columns: {
    tokenHash: { type: 'char', length: 64, name: 'token_hash', primary: true },
    sessionId: { type: 'uuid', name: 'session_id' },
    rotatedAt: { type: 'timestamptz', name: 'rotated_at', createDate: true },
  },
});
