import type { Order } from '../entities/order.js';
import type { OrderStatus } from './order-status.js';

/** One entry of an order's status history; each status appears at most once per order. */
export interface OrderStatusChange {
  status: OrderStatus;
  at: Date;
}

/**
 * Where an order's history lives: on the order row (migrations/1765100000000). Each status is
 * entered at most once, as the status machine has no way back, so the history is one time per
 * status: the current status's is `status_changed_at`, and each stage the order has left keeps
 * when it began in its own column, written by the move that leaves it (status-moves.ts). DONE
 * and CANCELLED are final, so they need none.
 */
export const STAGE_START_COLUMNS = {
  WAITING: { column: 'waiting_at', property: 'waitingAt' },
  IN_PROGRESS: { column: 'in_progress_at', property: 'inProgressAt' },
} as const satisfies Partial<Record<OrderStatus, { column: string; property: keyof Order }>>;

/**
 * Every status the order has had, oldest first, starting with WAITING at creation: the stages
 * it has left, in the kitchen's order (which is the order they happened in), then its current one.
 */
export function statusHistory(order: Order): OrderStatusChange[] {
  const left = (Object.entries(STAGE_START_COLUMNS) as Array<[OrderStatus, { property: 'waitingAt' | 'inProgressAt' }]>).flatMap(
    ([status, { property }]) => {
      const at = order[property];
      return at === null ? [] : [{ status, at }];
    },
  );
  return [...left, { status: order.status, at: order.statusChangedAt }];
}
