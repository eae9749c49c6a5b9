import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An order's status history moves onto the order row, and the live-events relay gets an outbox
 * written once per statement instead of a history row per move.
 *
 * Why: the worker's tick moves up to a million orders at once, and every history row it wrote
 * cost a heap row, a primary-key entry and an entry in a UNIQUE (order_id, status) index whose
 * random keys touched a different page for nearly every order (bench:worker: the tick took
 * 1.7x the seed's bare UPDATEs at 100,000 orders). Each status is entered at most once (the
 * status machine has no way back), so the history is a few timestamps per order:
 *
 * - `orders.waiting_at`, `orders.in_progress_at`: when the order entered that stage, written by
 *   the move that takes it out of the stage (status-moves.ts copies the old status_changed_at;
 *   no second clock reading that could differ from it). While an order is in a stage,
 *   status_changed_at says when it entered it; DONE and CANCELLED are never left.
 * - `order_status_events`: rows written by each statement that moved orders, with the moves as parallel
 *   arrays (order, customer, new status, time), and on their own how many (`moves`, so the
 *   relay can take the next thousand moves without opening every row's arrays) and the
 *   earliest time (`first_at`, indexed, so the relay can find rows that may hold an earlier
 *   move of an order without opening the others). It carries the writer's `xid` like the old history rows, and the relay
 *   deletes what it has published (live-events-relay.ts).
 * - History rows of the last hour are kept as events (one row each, same xid and id), so that
 *   a relay resuming from a cursor in the old table publishes what it had not yet published;
 *   older ones are history, not news. `order_status_changes` is then dropped.
 */
export class StatusHistoryOnTheOrder1765100000000 implements MigrationInterface {
  name = 'StatusHistoryOnTheOrder1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE orders ADD COLUMN waiting_at timestamptz, ADD COLUMN in_progress_at timestamptz`);
    await queryRunner.query(`
      UPDATE orders o
      SET waiting_at = CASE WHEN o.status <> 'WAITING' THEN h.waiting_at END,
          in_progress_at = CASE WHEN o.status IN ('DONE', 'CANCELLED') THEN h.in_progress_at END
      FROM (
        SELECT order_id, min(at) FILTER (WHERE status = 'WAITING') AS waiting_at, min(at) FILTER (WHERE status = 'IN_PROGRESS') AS in_progress_at
        FROM order_status_changes GROUP BY order_id
      ) h
      WHERE h.order_id = o.id AND o.status <> 'WAITING'`);
    await queryRunner.query(`
      CREATE TABLE order_status_events (
        id bigint GENERATED ALWAYS AS IDENTITY,
        xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        moves integer NOT NULL,
        first_at timestamptz NOT NULL,
        order_ids uuid[] NOT NULL,
        user_ids uuid[] NOT NULL,
        statuses text[] NOT NULL,
        ats timestamptz[] NOT NULL,
        PRIMARY KEY (xid, id)
      )`);
    // Stored uncompressed: trying to compress a big tick batch's arrays cost three times as much
    // as writing them (31 against 9 ms for 20,000 moves), for rows deleted once published.
    await queryRunner.query(`
      ALTER TABLE order_status_events
        ALTER COLUMN order_ids SET STORAGE EXTERNAL, ALTER COLUMN user_ids SET STORAGE EXTERNAL,
        ALTER COLUMN statuses SET STORAGE EXTERNAL, ALTER COLUMN ats SET STORAGE EXTERNAL`);
    await queryRunner.query(`CREATE INDEX order_status_events_first_at_idx ON order_status_events (first_at)`);
    await queryRunner.query(`
      INSERT INTO order_status_events (id, xid, moves, first_at, order_ids, user_ids, statuses, ats) OVERRIDING SYSTEM VALUE
      SELECT h.id, h.xid, 1, h.at, ARRAY[h.order_id], ARRAY[o.user_id], ARRAY[h.status], ARRAY[h.at]
      FROM order_status_changes h JOIN orders o ON o.id = h.order_id
      WHERE h.at > now() - interval '1 hour'`);
    await queryRunner.query(`SELECT setval(pg_get_serial_sequence('order_status_events', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM order_status_changes), false)`);
    await queryRunner.query(`
      CREATE TRIGGER order_status_events_notify AFTER INSERT ON order_status_events
        FOR EACH STATEMENT EXECUTE FUNCTION notify_live_events()`);
    await queryRunner.query(`DROP TABLE order_status_changes`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE order_status_changes (
        id bigint GENERATED ALWAYS AS IDENTITY,
        order_id uuid NOT NULL,
        status text NOT NULL CONSTRAINT order_status_changes_status_known CHECK (status IN ('WAITING', 'IN_PROGRESS', 'DONE', 'CANCELLED')),
        at timestamptz NOT NULL DEFAULT now(),
        xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        CONSTRAINT order_status_changes_pkey PRIMARY KEY (xid, id),
        CONSTRAINT order_status_changes_once_per_status UNIQUE (order_id, status)
      )`);
    await queryRunner.query(`
      INSERT INTO order_status_changes (order_id, status, at, xid)
      SELECT o.id, stage.status, stage.at, '0'
      FROM orders o CROSS JOIN LATERAL (VALUES ('WAITING', o.waiting_at), ('IN_PROGRESS', o.in_progress_at), (o.status, o.status_changed_at)) AS stage (status, at)
      WHERE stage.at IS NOT NULL
      ORDER BY stage.at`);
    await queryRunner.query(`
      CREATE TRIGGER order_status_changes_notify AFTER INSERT ON order_status_changes
        FOR EACH STATEMENT EXECUTE FUNCTION notify_live_events()`);
    await queryRunner.query(`DROP TABLE order_status_events`);
    await queryRunner.query(`ALTER TABLE orders DROP COLUMN waiting_at, DROP COLUMN in_progress_at`);
  }
}
