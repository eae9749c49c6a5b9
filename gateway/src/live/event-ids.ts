import { compareIds } from './live-event-feed.js';

/**
 * Where one delivered event sits in the live-events stream: its entry, and its place among
 * that entry's events (an order event's index in `batch.orders`; the menu event comes after
 * them all, at `batch.orders.length`). An entry holds up to a relay batch of events, and a
 * subscriber can be cut off between two of them (a dropped slow client, a lost connection), so
 * the SSE id names the event, not just the entry: a client resuming from it gets exactly the
 * events after it.
 */
export interface EventPosition {
  entryId: string;
  index: number;
}

/** The SSE `id:` of an event: `<entry id>:<index>`. */
export function eventId(position: EventPosition): string {
  return `${position.entryId}:${position.index}`;
}

const EVENT_ID = /^(\d+-\d+)(?::(\d+))?$/;

/**
 * A Last-Event-ID as a position, or undefined when it is no id this gateway sends. A bare entry
 * id (what the gateway sent before events had an index) means the whole entry was seen.
 */
export function parseEventId(text: string): EventPosition | undefined {
  const match = EVENT_ID.exec(text);
  if (!match) return undefined;
  const index = match[2] === undefined ? Number.POSITIVE_INFINITY : Number(match[2]);
  return Number.isSafeInteger(index) || index === Number.POSITIVE_INFINITY ? { entryId: match[1]!, index } : undefined;
}

/** Whether the event at `position` comes after `seen` in the stream. */
export function isAfter(position: EventPosition, seen: EventPosition): boolean {
  const byEntry = compareIds(position.entryId, seen.entryId);
  return byEntry > 0 || (byEntry === 0 && position.index > seen.index);
}
