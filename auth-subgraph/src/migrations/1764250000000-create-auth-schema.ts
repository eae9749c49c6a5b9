import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users, sessions and rotated-out refresh tokens. Uniqueness lives in the database so that
 * racing registrations are decided by an index, not a check-then-insert: emails and usernames
 * are unique case-insensitively (`Ada` and `ada` would otherwise be two people who look alike).
 * The constraint names are what the user service maps to CONFLICT, so keep them stable.
 */
export class CreateAuthSchema1764250000000 implements MigrationInterface {
  name = 'CreateAuthSchema1764250000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username varchar(50) NOT NULL CONSTRAINT users_username_format CHECK (username ~ '^[A-Za-z0-9_.-]{3,50}$'),
        email varchar(254) NOT NULL,
        password_hash varchar(60) NOT NULL,
        role text NOT NULL DEFAULT 'CUSTOMER' CONSTRAINT users_role_known CHECK (role IN ('CUSTOMER', 'CHEF', 'MANAGER')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX users_email_unique ON users (lower(email))`);
    await queryRunner.query(`CREATE UNIQUE INDEX users_username_unique ON users (lower(username))`);
    await queryRunner.query(`CREATE INDEX users_newest_idx ON users (created_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX users_role_newest_idx ON users (role, created_at DESC, id DESC)`);
    await queryRunner.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        refresh_token_hash char(64) NOT NULL CONSTRAINT sessions_refresh_token_hash_unique UNIQUE,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_reason text CONSTRAINT sessions_revoked_reason_known CHECK (revoked_reason IN ('LOGOUT', 'REFRESH_TOKEN_REUSE')),
        user_agent varchar(512),
        ip_address varchar(64),
        created_at timestamptz NOT NULL DEFAULT now(),
        refreshed_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX sessions_user_idx ON sessions (user_id)`);
    await queryRunner.query(`
      CREATE TABLE rotated_refresh_tokens (
        token_hash char(64) PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        rotated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX rotated_refresh_tokens_session_idx ON rotated_refresh_tokens (session_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE rotated_refresh_tokens`);
    await queryRunner.query(`DROP TABLE sessions`);
    await queryRunner.query(`DROP TABLE users`);
  }
}
