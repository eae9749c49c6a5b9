import type { Redis } from 'ioredis';
import { LIVE_EVENTS_FIELD, liveEventsStreamKey, parseLiveEventBatch, type LiveEventEntry } from './live-events-format.js';

/** Most entries one read returns. */
const DEFAULT_READ_COUNT = 100;

type StreamReply = Array<[key: string, entries: Array<[id: string, fields: string[]]>]> | null;

/**
 * The entries after `afterId` (an entry id, `0` for the oldest kept, or `$` for only what comes
 * next), oldest first; waits up to `blockMs` for one when there is none (0 waits forever, as
 * XREAD BLOCK does). Give it a connection of its own: a blocked XREAD holds its connection.
 * Follow the stream by passing the last id returned; `$` twice in a row can miss an entry
 * added between the calls (use `lastLiveEventId` to start from "now" instead).
 */
export async function readLiveEvents(
  redis: Redis,
  prefix: string,
  afterId: string,
  blockMs: number,
  count = DEFAULT_READ_COUNT,
): Promise<LiveEventEntry[]> {
  const reply = (await redis.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', liveEventsStreamKey(prefix), afterId)) as StreamReply;
  return entriesOf(reply?.[0]?.[1] ?? []);
}

/**
 * The entries from `start` to `end`, both ids included (`(<id>` excludes `start`, as in XRANGE),
 * oldest first, at most `count`: a bounded read of what is kept, for a client catching up.
 */
export async function rangeLiveEvents(redis: Redis, prefix: string, start: string, end: string, count: number): Promise<LiveEventEntry[]> {
  return entriesOf(await redis.xrange(liveEventsStreamKey(prefix), start, end, 'COUNT', count));
}

/** The newest entry's id, or `0-0` when the stream is empty: where a new reader that wants only news starts. */
export async function lastLiveEventId(redis: Redis, prefix: string): Promise<string> {
  const [newest] = await redis.xrevrange(liveEventsStreamKey(prefix), '+', '-', 'COUNT', 1);
  return newest?.[0] ?? '0-0';
}

/**
 * The oldest entry still kept, or null when the stream is empty. A client resuming from an id
 * older than this one has missed entries that were trimmed and must load the current state.
 */
export async function oldestLiveEventId(redis: Redis, prefix: string): Promise<string | null> {
  const [oldest] = await redis.xrange(liveEventsStreamKey(prefix), '-', '+', 'COUNT', 1);
  return oldest?.[0] ?? null;
}

function entriesOf(raw: Array<[id: string, fields: string[]]>): LiveEventEntry[] {
  return raw.map(([id, fields]) => {
    const at = fields.indexOf(LIVE_EVENTS_FIELD);
    if (at < 0 || at % 2 !== 0) throw new TypeError(`live event entry ${id} has no ${LIVE_EVENTS_FIELD} field`);
    return { id, batch: parseLiveEventBatch(fields[at + 1]!) };
  });
}
