import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What one history row costs to write, cut to what is read. The worker's tick writes one per
 * moved order, up to a million in a backlog, so each index and check here is paid that often.
 *
 * - No foreign key to `orders`: its check looked the order up and locked it (KEY SHARE) for
 *   every history row, though the row is written by the same statement that has just updated
 *   (and so holds the lock on) that very order (status-moves.ts). Orders are never deleted, so
 *   the ON DELETE CASCADE it carried had nothing to do.
 * - One index for the identity and the live-events relay: the relay reads rows past its cursor
 *   in (xid, id) order (live-events-relay.ts), and id is unique on its own (an identity), so
 *   (xid, id) is the primary key and the separate (xid, id) index and bigint primary-key index
 *   become this one. Both columns grow with each write, so its inserts land at its end.
 * - UNIQUE (order_id, status) stays: it serves each order's history and the relay's look-up of
 *   an order's later rows, and it is the last guard against a second row for one status.
 */
export class LighterOrderHistory1765010000000 implements MigrationInterface {
  name = 'LighterOrderHistory1765010000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE order_status_changes DROP CONSTRAINT order_status_changes_order_id_fkey`);
    await queryRunner.query(`ALTER TABLE order_status_changes DROP CONSTRAINT order_status_changes_pkey`);
    await queryRunner.query(`DROP INDEX order_status_changes_xid_idx`);
    await queryRunner.query(`ALTER TABLE order_status_changes ADD CONSTRAINT order_status_changes_pkey PRIMARY KEY (xid, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE order_status_changes DROP CONSTRAINT order_status_changes_pkey`);
    await queryRunner.query(`CREATE INDEX order_status_changes_xid_idx ON order_status_changes (xid, id)`);
    await queryRunner.query(`ALTER TABLE order_status_changes ADD CONSTRAINT order_status_changes_pkey PRIMARY KEY (id)`);
    await queryRunner.query(`
      ALTER TABLE order_status_changes ADD CONSTRAINT order_status_changes_order_id_fkey
        FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE`);
  }
}
