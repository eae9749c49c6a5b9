import type { OrderStatus } from '../orders/order-status.js';

/**
 * The stream the live-events relay writes and the gateway reads (see live-events-relay.ts for
 * how entries are made, and ARCHITECTURE.md's rule table).
 *
 * - Key: `${REDIS_PREFIX}live:events`, a Redis Stream. Entries are in the relay's commit-safe
 *   order, one entry per relay batch, each with the one field `batch`: the JSON of a
 *   `LiveEventBatch`. Entry ids are Redis's own (`<ms>-<seq>`); `readLiveEvents(…, id, …)`
 *   resumes right after one, `rangeLiveEvents` reads from one on.
 * - Kept at least `retentionSeconds` (default 600, never below 300): each XADD trims with
 *   `MINID ~ <now - retention>`, by Redis's clock.
 * - `${REDIS_PREFIX}live:events:cursor` is the relay's own bookkeeping (the last row published),
 *   written with each entry; readers never need it.
 */
export interface LiveOrderEvent {
  orderId: string;
  userId: string;
  /** The status the order moved to (WAITING when it was placed). */
  status: OrderStatus;
  /** When the move happened (the history row's `at`), ISO-8601 UTC with milliseconds. */
  at: string;
}

export interface LiveEventBatch {
  /** Status changes, for any one order in commit order; an order can appear more than once. */
  orders: LiveOrderEvent[];
  /** True when the menu changed (a dish added, changed, deleted, or its stock moved) in this batch. */
  menu: boolean;
  /** The dishes that changed in this batch, each once (empty when `menu` is false). */
  dishIds: string[];
}

/** One stream entry: its id (also the SSE event id) and its batch. */
export interface LiveEventEntry {
  id: string;
  batch: LiveEventBatch;
}

export function liveEventsStreamKey(prefix: string): string {
  return `${prefix}live:events`;
}

export function liveEventsCursorKey(prefix: string): string {
  return `${prefix}live:events:cursor`;
}

/** The field each entry stores its batch in. */
export const LIVE_EVENTS_FIELD = 'batch';

const STATUSES = new Set<string>(['WAITING', 'IN_PROGRESS', 'DONE', 'CANCELLED']);

/** Parses one entry's `batch` field; throws on anything that is not a batch, naming what is wrong. */
export function parseLiveEventBatch(json: string): LiveEventBatch {
  const value = JSON.parse(json) as unknown;
  if (typeof value !== 'object' || value === null) throw new TypeError('live event batch: not an object');
  const { orders, menu, dishIds } = value as Record<string, unknown>;
  if (!Array.isArray(orders)) throw new TypeError('live event batch: orders is not an array');
  if (typeof menu !== 'boolean') throw new TypeError('live event batch: menu is not a boolean');
  if (!Array.isArray(dishIds) || !dishIds.every((id) => typeof id === 'string')) throw new TypeError('live event batch: dishIds is not a list of ids');
  for (const event of orders as unknown[]) {
    const { orderId, userId, status, at } = (event ?? {}) as Record<string, unknown>;
    if (typeof orderId !== 'string' || typeof userId !== 'string' || typeof at !== 'string' || typeof status !== 'string' || !STATUSES.has(status)) {
      throw new TypeError(`live event batch: bad order event ${JSON.stringify(event)}`);
    }
  }
  return { orders: orders as LiveOrderEvent[], menu, dishIds: dishIds as string[] };
}
