import { EntitySchema } from 'typeorm';

/** A menu item with its stock. `price` is numeric(10,2), kept as the exact decimal text PostgreSQL returns. */
export interface Dish {
  id: string;
  name: string;
  description: string | null;
  price: string;
  quantity: number;
  isAvailable: boolean;
  /** Set by deleteDish: the dish leaves listings and ordering, but orders that contain it still show it. */
  deletedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const DishEntity = new EntitySchema<Dish>({
  name: 'Dish',
  tableName: 'dishes',
  columns: {
    id: { type: 'uuid', primary: true, generated: 'uuid' },
    name: { type: 'varchar', length: 100 },
    description: { type: 'text', nullable: true },
    price: { type: 'numeric', precision: 10, scale: 2 },
    quantity: { type: 'integer' },
    isAvailable: { type: 'boolean', name: 'is_available', default: true },
    deletedAt: { type: 'timestamptz', name: 'deleted_at', nullable: true },
    createdAt: { type: 'timestamptz', name: 'created_at', createDate: true },
    updatedAt: { type: 'timestamptz', name: 'updated_at', updateDate: true },
  },
});
