import type { LiveOrderEvent } from '@dishpatch/orders-core/live-events';
import { HISTORY_PROBE_ALIAS, type ChangedFieldKeys } from './subscription-operation.js';

export interface OrderAtEvent {
  /** The order as the client sees it for this event, without the gateway's probe. */
  order: Record<string, unknown>;
  /** Its status at this event (the change's own status, or the current one for the current state). */
  status: string | undefined;
  /** How many status changes the order had had by then: a client that saw as many has seen this one. */
  changes: number;
}

/**
 * The state an order feed shows for one event: the order fetched through the federation now,
 * as it was at the event's change.
 *
 * Why overlay rather than fetch "as of" the change: the stream entry says what changed (the
 * status and when), and a status change changes nothing but `status`, `statusHistory` (one row
 * appended; a status never repeats in it, UNIQUE(order_id, status)) and `updatedAt`. Items,
 * prices, totals and the customer are the same at every change, so the fetch may be shared by
 * every event of the order queued together (and batched with other orders), and only those three
 * fields are set back to the event's: its status, the history up to and including its row, and
 * its time. An event that is the order's latest change is shown as fetched, untouched. A fetch
 * always starts after its events were read from the stream, so after they were committed: the
 * fetched history always holds the event's row. The subgraphs need no "as of" reads, and the
 * rights checked on the fetch are the query's own.
 */
export function orderAtEvent(fetched: Record<string, unknown>, fields: ChangedFieldKeys, event: LiveOrderEvent | undefined): OrderAtEvent {
  const { [HISTORY_PROBE_ALIAS]: probe, ...order } = fetched;
  const history = Array.isArray(probe) ? (probe as Array<{ status: string }>) : [];
  const current = history.at(-1)?.status;
  if (event === undefined || event.status === current) return { order, status: current, changes: history.length };
  const changes = history.findIndex((change) => change.status === event.status) + 1;
  for (const key of fields.status) if (key in order) order[key] = event.status;
  for (const key of fields.updatedAt) if (key in order) order[key] = event.at;
  if (changes > 0) {
    for (const key of fields.statusHistory) if (Array.isArray(order[key])) order[key] = (order[key] as unknown[]).slice(0, changes);
  }
  return { order, status: event.status, changes: changes > 0 ? changes : history.length };
}
