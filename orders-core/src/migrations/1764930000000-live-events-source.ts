import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the live-events relay (src/live-events/live-events-relay.ts) reads: every row of the
 * order history, and a new `menu_changes` outbox, carry the id of the transaction that wrote
 * them (`xid`), so the relay can tail them in a commit-safe order.
 *
 * - `order_status_changes.xid`: the rows that exist before this migration get 0 (a constant
 *   default adds the column without rewriting the table, and 0 is below every horizon, so old
 *   history is never published as news); later rows get the writer's xid by default.
 * - `menu_changes`: one row per statement that wrote `dishes`, written by statement-level
 *   triggers in that statement's transaction, so every path that changes a dish (the dish
 *   service, stock reservation and release, a seed or a manual fix) makes its event, and none
 *   can forget to. The relay deletes the rows it has published; it is an outbox, not history.
 * - Both tables notify `dishpatch_live_events` once per writing statement (PostgreSQL folds
 *   identical notifications of one transaction into one, delivered at commit), which wakes the
 *   relay; it polls as well, so a lost notification only costs latency.
 */
export class LiveEventsSource1764930000000 implements MigrationInterface {
  name = 'LiveEventsSource1764930000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE order_status_changes ADD COLUMN xid xid8 NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE order_status_changes ALTER COLUMN xid SET DEFAULT pg_current_xact_id()`);
    await queryRunner.query(`CREATE INDEX order_status_changes_xid_idx ON order_status_changes (xid, id)`);
    await queryRunner.query(`
      CREATE TABLE menu_changes (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        dish_ids uuid[] NOT NULL,
        at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await queryRunner.query(`CREATE INDEX menu_changes_xid_idx ON menu_changes (xid, id)`);
    await queryRunner.query(`
      CREATE FUNCTION notify_live_events() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('dishpatch_live_events', '');
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER order_status_changes_notify AFTER INSERT ON order_status_changes
        FOR EACH STATEMENT EXECUTE FUNCTION notify_live_events()`);
    // A statement that matched no dish (an UPDATE of a deleted one) records nothing.
    await queryRunner.query(`
      CREATE FUNCTION record_menu_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO menu_changes (dish_ids) SELECT array_agg(DISTINCT id ORDER BY id) FROM changed HAVING count(*) > 0;
        IF FOUND THEN PERFORM pg_notify('dishpatch_live_events', ''); END IF;
        RETURN NULL;
      END $$`);
    // Transition tables allow one event per trigger: three triggers, one function.
    await queryRunner.query(`
      CREATE TRIGGER dishes_inserted_menu_change AFTER INSERT ON dishes
        REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION record_menu_change()`);
    await queryRunner.query(`
      CREATE TRIGGER dishes_updated_menu_change AFTER UPDATE ON dishes
        REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION record_menu_change()`);
    await queryRunner.query(`
      CREATE TRIGGER dishes_deleted_menu_change AFTER DELETE ON dishes
        REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION record_menu_change()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER dishes_deleted_menu_change ON dishes`);
    await queryRunner.query(`DROP TRIGGER dishes_updated_menu_change ON dishes`);
    await queryRunner.query(`DROP TRIGGER dishes_inserted_menu_change ON dishes`);
    await queryRunner.query(`DROP FUNCTION record_menu_change()`);
    await queryRunner.query(`DROP TRIGGER order_status_changes_notify ON order_status_changes`);
    await queryRunner.query(`DROP FUNCTION notify_live_events()`);
    await queryRunner.query(`DROP TABLE menu_changes`);
    await queryRunner.query(`DROP INDEX order_status_changes_xid_idx`);
    await queryRunner.query(`ALTER TABLE order_status_changes DROP COLUMN xid`);
  }
}
