/**
 * The order status machine: the one home of which transitions exist. The services' per-order
 * transitions and the worker's set-based tick both take their rules from here.
 *
 *   WAITING -> IN_PROGRESS -> DONE
 *   WAITING | IN_PROGRESS -> CANCELLED
 */
export const ORDER_STATUSES = ['WAITING', 'IN_PROGRESS', 'DONE', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Who may cancel an order in a given status: its owner (a customer) or staff, or staff only. */
export type CancellableBy = 'OWNER_OR_STAFF' | 'STAFF';

/** What an order in one status may become. A status with neither is final. */
export interface StatusTransitions {
  /** The kitchen's next stage: where staff's advance and the worker's tick move it. */
  readonly advance?: OrderStatus;
  /** Whether it may move to CANCELLED, and by whom. */
  readonly cancel?: CancellableBy;
}

/**
 * Every status and the transitions out of it: the table the rest is derived from (the next
 * stage, the active statuses, who may cancel, the tick's SQL). A new transition goes here.
 */
export const TRANSITIONS: { readonly [status in OrderStatus]: StatusTransitions } = {
  WAITING: { advance: 'IN_PROGRESS', cancel: 'OWNER_OR_STAFF' },
  IN_PROGRESS: { advance: 'DONE', cancel: 'STAFF' },
  DONE: {},
  CANCELLED: {},
};

/** The status every cancel moves to. */
export const CANCELLED: OrderStatus = 'CANCELLED';

/** Every status an order in `status` may move to (its `to:` list); empty when final. */
export function allowedTargets(status: OrderStatus): OrderStatus[] {
  const { advance, cancel } = TRANSITIONS[status];
  return [...(advance ? [advance] : []), ...(cancel ? [CANCELLED] : [])];
}

/** One forward move of the kitchen, e.g. WAITING -> IN_PROGRESS. */
export interface StageTransition {
  from: OrderStatus;
  to: OrderStatus;
}

/** The kitchen's forward moves, in the table's order. */
export const STAGE_TRANSITIONS: readonly StageTransition[] = ORDER_STATUSES.flatMap((from) => {
  const to = TRANSITIONS[from].advance;
  return to ? [{ from, to }] : [];
});

/** The kitchen's forward path: each status and the one that follows it. */
export const NEXT_STAGE: Readonly<Partial<Record<OrderStatus, OrderStatus>>> = Object.fromEntries(
  STAGE_TRANSITIONS.map(({ from, to }) => [from, to]),
);

/** Statuses an order is still in the kitchen in: it can move on (forward or cancelled). */
export const ACTIVE_STATUSES: readonly OrderStatus[] = ORDER_STATUSES.filter((status) => allowedTargets(status).length > 0);

/** DONE and CANCELLED are final. */
export function isFinal(status: OrderStatus): boolean {
  return allowedTargets(status).length === 0;
}

/** Who may cancel from which status: the owner only while WAITING, staff while WAITING or IN_PROGRESS. */
export function cancellableStatuses(byStaff: boolean): readonly OrderStatus[] {
  return ORDER_STATUSES.filter((status) => {
    const cancel = TRANSITIONS[status].cancel;
    return cancel === 'OWNER_OR_STAFF' || (byStaff && cancel === 'STAFF');
  });
}

/** A status as an SQL string literal, for statements generated from the table. */
export function statusLiteral(status: OrderStatus): string {
  return `'${status.replaceAll("'", "''")}'`;
}

/** `'WAITING', 'IN_PROGRESS'`: statuses as an SQL list, in the table's order (for IN (...)). */
export function statusListLiteral(statuses: readonly OrderStatus[]): string {
  return statuses.map(statusLiteral).join(', ');
}
