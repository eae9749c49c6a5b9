import { EntitySchema } from 'typeorm';
import type { OrderStatus } from '../orders/order-status.js';

/** An order; the customer lives in the auth service and is known here by id only. */
export interface Order {
  id: string;
  userId: string;
  status: OrderStatus;
  specialRequests: string | null;
  /** When the order entered its current status. */
  statusChangedAt: Date;
  /** When it entered WAITING, once it has left it (before, statusChangedAt says it); see status-history.ts. */
  waitingAt: Date | null;
  /** When it entered IN_PROGRESS, once it has left it. */
  inProgressAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const OrderEntity = new EntitySchema<Order>({
  name: 'Order',
  tableName: 'orders',
  columns: {
    id: { type: 'uuid', primary: true, generated: 'uuid' },
    userId: { type: 'uuid', name: 'user_id' },
    status: { type: 'text', default: 'WAITING' },
    specialRequests: { type: 'varchar', length: 500, name: 'special_requests', nullable: true },
    statusChangedAt: { type: 'timestamptz', name: 'status_changed_at', default: () => 'now()' },
    waitingAt: { type: 'timestamptz', name: 'waiting_at', nullable: true },
    inProgressAt: { type: 'timestamptz', name: 'in_progress_at', nullable: true },
    createdAt: { type: 'timestamptz', name: 'created_at', createDate: true },
    updatedAt: { type: 'timestamptz', name: 'updated_at', updateDate: true },
  },
});
