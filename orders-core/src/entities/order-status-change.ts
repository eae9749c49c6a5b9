import { EntitySchema } from 'typeorm';
import type { OrderStatus } from '../orders/order-status.js';

/** One entry of an order's status history; each status appears at most once per order. */
export interface OrderStatusChange {
  /** bigint identity: PostgreSQL's int8 arrives as a string so no precision is lost. */
  id: string;
  orderId: string;
  status: OrderStatus;
  at: Date;
}

export const OrderStatusChangeEntity = new EntitySchema<OrderStatusChange>({
  name: 'OrderStatusChange',
  tableName: 'order_status_changes',
  columns: {
    // GENERATED ALWAYS AS IDENTITY: rows are written by the transitions' SQL, never inserted through TypeORM.
    id: { type: 'bigint', primary: true },
    orderId: { type: 'uuid', name: 'order_id' },
    status: { type: 'text' },
    at: { type: 'timestamptz', default: () => 'now()' },
  },
});
