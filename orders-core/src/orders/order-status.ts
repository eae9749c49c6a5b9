/**
 * The order status machine: the one home of which transitions exist. The API's service
 * methods and the worker's set-based tick both take their rules from here.
 *
 *   WAITING -> IN_PROGRESS -> DONE
 *   WAITING | IN_PROGRESS -> CANCELLED
 */
export const ORDER_STATUSES = ['WAITING', 'IN_PROGRESS', 'DONE', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The kitchen's forward path: each status and the one that follows it. */
export const NEXT_STAGE: Readonly<Partial<Record<OrderStatus, OrderStatus>>> = {
  WAITING: 'IN_PROGRESS',
  IN_PROGRESS: 'DONE',
};

/** Statuses an order is still in the kitchen in: it can move forward or be cancelled. */
export const ACTIVE_STATUSES: readonly OrderStatus[] = ['WAITING', 'IN_PROGRESS'];

/** DONE and CANCELLED are final. */
export function isFinal(status: OrderStatus): boolean {
  return !ACTIVE_STATUSES.includes(status);
}

/** Who may cancel from which status: the owner only while WAITING, staff while WAITING or IN_PROGRESS. */
export function cancellableStatuses(byStaff: boolean): readonly OrderStatus[] {
  return byStaff ? ACTIVE_STATUSES : ['WAITING'];
}
