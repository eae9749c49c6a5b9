import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dishes, orders, their items and status history. The database enforces what it can:
 * stock and prices can never go out of range, a status is one of four, and each order has
 * each status at most once in its history (transitions never revisit a status), which also
 * makes a repeated worker tick unable to write a second history row.
 */
export class CreateOrdersSchema1764240000000 implements MigrationInterface {
  name = 'CreateOrdersSchema1764240000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE dishes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(100) NOT NULL CONSTRAINT dishes_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
        description text,
        price numeric(10, 2) NOT NULL CONSTRAINT dishes_price_positive CHECK (price > 0),
        quantity integer NOT NULL CONSTRAINT dishes_quantity_not_negative CHECK (quantity >= 0),
        is_available boolean NOT NULL DEFAULT true,
        deleted_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE INDEX dishes_menu_idx ON dishes (name, id)
        WHERE deleted_at IS NULL AND is_available AND quantity > 0`);
    await queryRunner.query(`
      CREATE TABLE orders (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        status text NOT NULL DEFAULT 'WAITING'
          CONSTRAINT orders_status_known CHECK (status IN ('WAITING', 'IN_PROGRESS', 'DONE', 'CANCELLED')),
        special_requests varchar(500),
        status_changed_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX orders_user_newest_idx ON orders (user_id, created_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX orders_newest_idx ON orders (created_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX orders_status_newest_idx ON orders (status, created_at DESC, id DESC)`);
    // The worker's scan: only orders still in the kitchen, oldest stage first.
    await queryRunner.query(`
      CREATE INDEX orders_in_kitchen_idx ON orders (status_changed_at)
        WHERE status IN ('WAITING', 'IN_PROGRESS')`);
    await queryRunner.query(`
      CREATE TABLE order_items (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        dish_id uuid NOT NULL REFERENCES dishes (id),
        quantity integer NOT NULL CONSTRAINT order_items_quantity_range CHECK (quantity BETWEEN 1 AND 100),
        unit_price numeric(10, 2) NOT NULL CONSTRAINT order_items_unit_price_positive CHECK (unit_price > 0),
        CONSTRAINT order_items_one_line_per_dish UNIQUE (order_id, dish_id)
      )`);
    await queryRunner.query(`CREATE INDEX order_items_dish_idx ON order_items (dish_id)`);
    await queryRunner.query(`
      CREATE TABLE order_status_changes (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        status text NOT NULL
          CONSTRAINT order_status_changes_status_known CHECK (status IN ('WAITING', 'IN_PROGRESS', 'DONE', 'CANCELLED')),
        at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT order_status_changes_once_per_status UNIQUE (order_id, status)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE order_status_changes`);
    await queryRunner.query(`DROP TABLE order_items`);
    await queryRunner.query(`DROP TABLE orders`);
    await queryRunner.query(`DROP TABLE dishes`);
  }
}
