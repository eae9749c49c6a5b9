import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * - `users.tokens_valid_after`: a role change cuts off every access token the user was issued
 *   before it. The database is the record; Redis only carries it to the verifiers fast.
 * - `sessions.rotation_secret`: the next refresh token is derived from the presented one with
 *   this secret (HMAC), so parallel refreshes with one token within the grace window all get the
 *   same next token. It never leaves the database, so holding an old token is not enough to
 *   compute its successor after the window.
 * - Indexes for re-publishing what is still relevant after Redis lost its data.
 */
export class TokenCutoffsAndRotation1764900000000 implements MigrationInterface {
  name = 'TokenCutoffsAndRotation1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users ADD COLUMN tokens_valid_after timestamptz`);
    await queryRunner.query(`CREATE INDEX users_tokens_valid_after_idx ON users (tokens_valid_after) WHERE tokens_valid_after IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE sessions ADD COLUMN rotation_secret char(64)`);
    // gen_random_uuid() draws from the server's strong random source; two of them make 244 random bits.
    await queryRunner.query(
      `UPDATE sessions SET rotation_secret = replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')`,
    );
    await queryRunner.query(`ALTER TABLE sessions ALTER COLUMN rotation_secret SET NOT NULL`);
    await queryRunner.query(`CREATE INDEX sessions_revoked_at_idx ON sessions (revoked_at) WHERE revoked_at IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX rotated_refresh_tokens_rotated_at_idx ON rotated_refresh_tokens (rotated_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX rotated_refresh_tokens_rotated_at_idx`);
    await queryRunner.query(`DROP INDEX sessions_revoked_at_idx`);
    await queryRunner.query(`ALTER TABLE sessions DROP COLUMN rotation_secret`);
    await queryRunner.query(`DROP INDEX users_tokens_valid_after_idx`);
    await queryRunner.query(`ALTER TABLE users DROP COLUMN tokens_valid_after`);
  }
}
