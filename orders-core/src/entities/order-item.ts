import { EntitySchema } from 'typeorm';

/** One line of an order. `unitPrice` is the dish's price when the order was placed (numeric(10,2) text). */
export interface OrderItem {
  id: string;
  orderId: string;
  dishId: string;
  quantity: number;
  unitPrice: string;
}

export const OrderItemEntity = new EntitySchema<OrderItem>({
  name: 'OrderItem',
  tableName: 'order_items',
  columns: {
    id: { type: 'uuid', primary: true, generated: 'uuid' },
    orderId: { type: 'uuid', name: 'order_id' },
    dishId: { type: 'uuid', name: 'dish_id' },
    quantity: { type: 'integer' },
    unitPrice: { type: 'numeric', precision: 10, scale: 2, name: 'unit_price' },
  },
});
