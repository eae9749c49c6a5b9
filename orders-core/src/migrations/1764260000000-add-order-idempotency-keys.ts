import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per (customer, idempotency key): the primary key is what makes a retried
 * placeOrder do its work at most once, also when the retries run at the same time (a second
 * INSERT of the same key waits on the first transaction's uncommitted row, then sees it).
 * The fingerprint is the request the key was first used for, so the same key with other
 * items is told apart. A key expires 24 h after `created_at`: placeOrder deletes an expired
 * row in the same transaction before it inserts its own (a partial unique index cannot say
 * "younger than now() - 24 h": now() is not immutable). The order reference is deferred
 * because the key row is written before the order, to claim the key first.
 */
export class AddOrderIdempotencyKeys1764260000000 implements MigrationInterface {
  name = 'AddOrderIdempotencyKeys1764260000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE order_idempotency_keys (
        user_id uuid NOT NULL,
        idempotency_key varchar(100) NOT NULL
          CONSTRAINT order_idempotency_keys_key_length CHECK (char_length(idempotency_key) BETWEEN 1 AND 100),
        request_fingerprint char(64) NOT NULL,
        order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT order_idempotency_keys_once_per_user PRIMARY KEY (user_id, idempotency_key)
      )`);
    await queryRunner.query(`CREATE INDEX order_idempotency_keys_order_idx ON order_idempotency_keys (order_id)`);
    await queryRunner.query(`CREATE INDEX order_idempotency_keys_created_idx ON order_idempotency_keys (created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE order_idempotency_keys`);
  }
}
