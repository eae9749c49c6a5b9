/**
 * The live-events relay: every committed order status change and menu change, read from what
 * its transaction wrote, published to a Redis Stream once, in batches, in a commit-safe order.
 *
 * Stream format (the gateway reads it with `readLiveEvents`, live-events-reader.ts):
 *   key    `${REDIS_PREFIX}live:events`
 *   entry  one per relay batch, one field `batch` =
 *          {"orders":[{"orderId","userId","status","at"}...],"menu":bool,"dishIds":[...]}
 *          `at` is ISO-8601 UTC with milliseconds; for any one order, its events (within an
 *          entry and across entries) are in commit order.
 *   kept   at least `retentionSeconds` (600 by default): XADD MINID ~ (Redis's now - retention).
 *
 * How:
 * - Source. Two outboxes carrying the writer's `xid`: `order_status_events` (rows of
 *   up to 1,000 moves written by each statement that moved orders, the moves as arrays:
 *   migrations/1765100000000-status-history-on-the-order.ts) and `menu_changes` (written by
 *   triggers on `dishes`: migrations/1764930000000-live-events-source.ts). Nothing is published
 *   "after the fact": a committed row is an event even if the process that committed it died
 *   right after. Both are deleted once published.
 * - Commit-safe order. Ids and xids are assigned before commit, so "id > last" would skip a
 *   row that commits after a later one. The relay reads only rows whose xid is below the
 *   horizon (`pg_snapshot_xmin(pg_current_snapshot())`, not held back by transactions of other
 *   databases: HORIZON_SQL), so every transaction below it has ended and no row below it can
 *   still appear; past a cursor on (xid, kind, id, n), kind 0 for order events and 1 for
 *   menu, n the number of moves of an order events row already published (a row of a big
 *   batch spans several stream entries). Within a batch the events are sorted by `at` (clock_timestamp() of the statement):
 *   for one order that is its commit order, since moves of one order wait on its row lock.
 *   Across batches, a transaction that took its xid early (by writing something else first)
 *   and then waited on an order's row lock has a lower xid but a later move than the one it
 *   waited for; the relay never publishes such a row before the move it waited for (see
 *   `cutBeforeLaterMoves`): it cuts the batch there, reads a bigger batch, or waits.
 * - Exactly once into the stream. The XADD and the cursor's new value go in one Lua script
 *   that first checks the cursor is still the one this batch was read from (compare-and-set):
 *   a crash before it publishes nothing (the next relay reads the batch again), a crash after
 *   it has moved the cursor too, and a relay that lost its lock without knowing it cannot
 *   publish a batch twice.
 * - One active relay. Every worker runs one; each takes a session advisory lock on a
 *   dedicated PostgreSQL connection (`pg_try_advisory_lock`), the others stand by and retry.
 *   PostgreSQL releases the lock the moment the holder's session ends (kill -9 included), with
 *   no TTL to tune; the compare-and-set above is the fence for the moment in between.
 * - Wake-up. The active relay LISTENs on `dishpatch_live_events` (notified at commit by the
 *   triggers) and also polls every `pollMs`, which also covers a horizon held back by a
 *   transaction that writes no event.
 * - First start. With no cursor in Redis (a new deployment, or a Redis that lost its data,
 *   stream included) the relay starts at the current horizon: rows committed before are
 *   history, not news. Trade-off: a long writing transaction on the orders database delays
 *   (never loses) every event committed after it began; statement timeouts bound it.
 */
import pg from 'pg';
import type { Redis } from 'ioredis';
import type { Logger } from '@dishpatch/shared/observability';
import { LIVE_EVENTS_FIELD, liveEventsCursorKey, liveEventsStreamKey, type LiveEventBatch, type LiveOrderEvent } from './live-events-format.js';
import type { OrderStatus } from '../orders/order-status.js';

export interface LiveEventsRelayOptions {
  /** The orders database; the relay keeps one connection of its own there (lock, LISTEN, reads). */
  databaseUrl: string;
  /** A Redis connection the relay may share; it never blocks it. */
  redis: Redis;
  /** REDIS_PREFIX: the stream is `${prefix}live:events`. */
  prefix: string;
  logger: Logger;
  /** Longest wait between two looks at the tables when no notification comes. Default 500 ms. */
  pollMs?: number;
  /** Most rows (events) one stream entry carries. Default 1,000. */
  batchSize?: number;
  /** Entries are kept at least this long. Default 600 s; at least 300 (an SSE client resumes within 5 minutes). */
  retentionSeconds?: number;
  /** How often a standby relay tries to take over. Default 1,000 ms. */
  standbyRetryMs?: number;
  /** Told after each entry is added (for metrics and tests). */
  onPublished?: (published: PublishedEntry) => void;
}

export interface PublishedEntry {
  id: string;
  orderEvents: number;
  menuChanges: number;
}

export const DEFAULT_LIVE_EVENTS_POLL_MS = 500;
export const DEFAULT_LIVE_EVENTS_BATCH_SIZE = 1000;
export const DEFAULT_LIVE_EVENTS_RETENTION_SECONDS = 600;
export const MIN_LIVE_EVENTS_RETENTION_SECONDS = 300;
const DEFAULT_STANDBY_RETRY_MS = 1000;
/** After a failure (database or Redis gone), wait this long before connecting again. */
const FAILURE_BACKOFF_MS = 1000;
/** Per statement of the relay's session: a stuck query ends, the relay reconnects. */
const RELAY_STATEMENT_TIMEOUT_MS = 30_000;
/** How long `close()` waits for the round under way. */
const CLOSE_WAIT_MS = 5000;
const RELAY_LOCK_NAME = 'dishpatch:orders:live-events-relay';
const NOTIFY_CHANNEL = 'dishpatch_live_events';
const MAX_BIGINT = '9223372036854775807';

/**
 * Where the relay is: everything at or before it in (xid, kind, id, n) order has been published;
 * n counts the moves of an order events row (1-based), and is 0 for menu rows.
 */
interface Cursor {
  xid: string;
  kind: 0 | 1;
  id: string;
  n: string;
}

function formatCursor(cursor: Cursor): string {
  return `${cursor.xid}:${cursor.kind}:${cursor.id}:${cursor.n}`;
}

/** Also reads the form kept before order events rows held many moves, `xid:kind:id`: that row was published whole. */
function parseCursor(text: string): Cursor {
  const match = /^(\d+):([01]):(\d+)(?::(\d+))?$/.exec(text);
  if (!match) throw new Error(`live events cursor ${JSON.stringify(text)} is not xid:kind:id:n`);
  return { xid: match[1]!, kind: Number(match[2]) as 0 | 1, id: match[3]!, n: match[4] ?? MAX_BIGINT };
}

/** Moves strictly after the cursor as (xid, id, n) > bound for order events (kind 0), and menu rows as (xid, id) > bound (kind 1). */
function boundsAfter(cursor: Cursor): { orders: [string, string, string]; menu: [string, string] } {
  return cursor.kind === 0
    ? { orders: [cursor.xid, cursor.id, cursor.n], menu: [cursor.xid, '0'] }
    : { orders: [cursor.xid, MAX_BIGINT, MAX_BIGINT], menu: [cursor.xid, cursor.id] };
}

interface SourceRow {
  xid: string;
  kind: 0 | 1;
  id: string;
  n: string;
  order_id: string | null;
  user_id: string | null;
  status: OrderStatus | null;
  /** Microsecond text, sortable as a string. */
  at_us: string;
  at: Date;
  dish_ids: string[] | null;
}

/**
 * The horizon: every transaction with a lower xid has ended (its rows, if it committed, are
 * visible to this statement's snapshot). pg_snapshot_xmin alone would do, but it is
 * cluster-wide: a long transaction in another database of the same server (the auth database
 * under `npm start`, anything on a shared server) would hold every event back. So a transaction
 * still running in the snapshot is ignored when pg_stat_activity shows it running in another
 * database, which can write nothing here; one it cannot place (ended meanwhile, a prepared
 * transaction, a session it may not see) still holds the horizon, so it errs on waiting.
 */
const HORIZON_SQL = `
SELECT least(pg_snapshot_xmax(snapshot), (
         SELECT min(running) FROM pg_snapshot_xip(snapshot) AS running
         WHERE (running::text::numeric % 4294967296) NOT IN (
           SELECT backend_xid::text::numeric FROM pg_stat_activity
           WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database()))) AS xid
FROM pg_current_snapshot() AS snapshot`;

/**
 * The next moves and menu rows past the cursor whose transactions have all ended, in (xid,
 * kind, id, n) order, at most $6. The horizon is read in the same statement, so every row
 * below it that committed is visible to this very snapshot. Order events: the (xid, id) key is
 * walked from the cursor's row reading only each row's `moves`, to find the few rows that hold
 * the next $6 moves (a big tick's row holds thousands); only those rows' arrays are opened
 * (WITH ORDINALITY numbers their moves). Opening every row past the cursor read the whole
 * backlog of a big tick for each batch.
 */
const READ_BATCH_SQL = `
WITH horizon AS (${HORIZON_SQL}),
next_rows AS (
  SELECT e.xid, e.id, e.moves - CASE WHEN (e.xid, e.id) = ($1::xid8, $2::bigint) THEN least(e.moves, $3::bigint) ELSE 0 END AS moves_left
  FROM order_status_events e
  WHERE (e.xid, e.id) >= ($1::xid8, $2::bigint) AND e.xid < (SELECT xid FROM horizon)
  ORDER BY e.xid, e.id
  LIMIT $6
),
needed_rows AS (
  SELECT counted.xid, counted.id
  FROM (SELECT xid, id, sum(moves_left) OVER (ORDER BY xid, id) - moves_left AS moves_before FROM next_rows) counted
  WHERE counted.moves_before < $6
),
order_events AS (
  SELECT e.xid, 0 AS kind, e.id, move.n, move.order_id, move.user_id, move.status, move.at, NULL::uuid[] AS dish_ids
  FROM needed_rows
  JOIN order_status_events e ON (e.xid, e.id) = (needed_rows.xid, needed_rows.id)
  CROSS JOIN LATERAL unnest(e.order_ids, e.user_ids, e.statuses, e.ats) WITH ORDINALITY AS move (order_id, user_id, status, at, n)
  WHERE (e.xid, e.id, move.n) > ($1::xid8, $2::bigint, $3::bigint)
  ORDER BY e.xid, e.id, move.n
  LIMIT $6
),
menu AS (
  SELECT m.xid, 1 AS kind, m.id, 0::bigint AS n, NULL::uuid AS order_id, NULL::uuid AS user_id, NULL::text AS status, m.at, m.dish_ids
  FROM menu_changes m
  WHERE (m.xid, m.id) > ($4::xid8, $5::bigint) AND m.xid < (SELECT xid FROM horizon)
  ORDER BY m.xid, m.id
  LIMIT $6
)
SELECT e.xid::text AS xid, e.kind, e.id::text AS id, e.n::text AS n, e.order_id, e.user_id, e.status, e.at,
       to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS at_us, e.dish_ids
FROM (SELECT * FROM order_events UNION ALL SELECT * FROM menu) e
ORDER BY e.xid, e.kind, e.id, e.n
LIMIT $6`;

/**
 * Moves of these orders past the batch's end ($2, $3, $4: the last move it took; the rest of
 * that row counts, as the batch may have taken only part of it): committed (visible) ones,
 * eligible (below the horizon) or not. Any of them that happened before a move in the batch
 * must be published first, so only rows whose earliest move is before the batch's latest ($5,
 * microsecond text in UTC) can matter; they are found by the `first_at` index (a row past the
 * end with no earlier move, such as the rest of a big tick, is never opened).
 */
const LATER_MOVES_SQL = `
WITH horizon AS (${HORIZON_SQL})
SELECT move.order_id, to_char(move.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS at_us,
       e.xid < (SELECT xid FROM horizon) AS eligible
FROM order_status_events e
CROSS JOIN LATERAL unnest(e.order_ids, e.ats) WITH ORDINALITY AS move (order_id, at, n)
WHERE e.first_at < ($5::timestamp AT TIME ZONE 'UTC') AND (e.xid, e.id) >= ($2::xid8, $3::bigint)
  AND (e.xid, e.id, move.n) > ($2::xid8, $3::bigint, $4::bigint) AND move.order_id = ANY ($1::uuid[])`;

/**
 * Compare-and-set: add the entry and move the cursor only if the cursor is still the one the
 * batch was read from. Returns the entry id, or false when another relay moved it.
 */
const PUBLISH_SCRIPT = `
local current = redis.call('GET', KEYS[2])
if current ~= ARGV[1] then return false end
local time = redis.call('TIME')
local now_ms = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local min_id = string.format('%.0f', now_ms - tonumber(ARGV[4])) .. '-0'
local id = redis.call('XADD', KEYS[1], 'MINID', '~', min_id, '*', ARGV[5], ARGV[3])
redis.call('SET', KEYS[2], ARGV[2])
return id`;

type RoundOutcome = 'more' | 'published' | 'idle' | 'waiting';

class LostLeadershipError extends Error {
  override name = 'LostLeadershipError';
}

/**
 * Runs the relay loop until `close()`: stand by until this process holds the lock, then publish
 * whatever has committed, wake on notifications or every `pollMs`. Failures (database or Redis
 * gone, lock lost) are logged; the relay connects again and stands by again.
 */
export class LiveEventsRelay {
  private readonly options: Required<Omit<LiveEventsRelayOptions, 'onPublished'>> & Pick<LiveEventsRelayOptions, 'onPublished'>;
  private closed = false;
  private running: Promise<void> | undefined;
  private client: pg.Client | undefined;
  private wake: (() => void) | undefined;
  private isActive = false;

  constructor(options: LiveEventsRelayOptions) {
    this.options = {
      pollMs: DEFAULT_LIVE_EVENTS_POLL_MS,
      batchSize: DEFAULT_LIVE_EVENTS_BATCH_SIZE,
      retentionSeconds: DEFAULT_LIVE_EVENTS_RETENTION_SECONDS,
      standbyRetryMs: DEFAULT_STANDBY_RETRY_MS,
      ...options,
    };
    const { pollMs, batchSize, retentionSeconds, standbyRetryMs } = this.options;
    for (const [name, value] of Object.entries({ pollMs, batchSize, standbyRetryMs })) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`LiveEventsRelay: ${name} must be a positive integer, got ${value}`);
    }
    if (!Number.isInteger(retentionSeconds) || retentionSeconds < MIN_LIVE_EVENTS_RETENTION_SECONDS) {
      throw new RangeError(`LiveEventsRelay: retentionSeconds must be an integer >= ${MIN_LIVE_EVENTS_RETENTION_SECONDS}, got ${retentionSeconds}`);
    }
  }

  /** Whether this relay holds the lock and publishes (the others stand by). */
  get active(): boolean {
    return this.isActive;
  }

  /** Starts the loop in the background; calling it again does nothing. */
  start(): void {
    if (this.closed || this.running) return;
    this.running = this.run();
  }

  /**
   * Stops after the current round; the lock goes with the connection. Safe to call twice. A
   * round stuck on an unreachable Redis is not waited for beyond a few seconds: closing the
   * Redis connection (its owner's job, after this) fails it, and nothing was published.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    if (!this.running) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.running, new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        await this.serveWhileHoldingLock();
      } catch (error) {
        if (this.closed) break;
        this.options.logger.warn({ err: error }, 'live events relay interrupted; connecting again');
        await this.sleep(FAILURE_BACKOFF_MS);
      } finally {
        this.isActive = false;
        const client = this.client;
        this.client = undefined;
        await client?.end().catch(() => undefined);
      }
    }
  }

  private async serveWhileHoldingLock(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl, keepAlive: true, application_name: 'dishpatch live-events relay' });
    this.client = client;
    let broken: Error | undefined;
    // A connection that dies while idle only says so by this event; the next query would fail anyway.
    client.on('error', (error) => {
      broken = error;
      this.wake?.();
    });
    await client.connect();
    await client.query(`SET statement_timeout = ${RELAY_STATEMENT_TIMEOUT_MS}`);
    while (!this.closed) {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [RELAY_LOCK_NAME]);
      if (rows[0]!.locked) break;
      await this.sleep(this.options.standbyRetryMs);
      if (broken) throw broken;
    }
    if (this.closed) return;
    this.isActive = true;
    client.on('notification', () => this.wake?.());
    await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    this.options.logger.info({ prefix: this.options.prefix }, 'live events relay active');
    let cursor = await this.initialCursor(client);
    while (!this.closed) {
      if (broken) throw broken;
      const { outcome, next } = await this.publishRound(client, cursor);
      cursor = next;
      if (outcome !== 'more') await this.sleep(this.options.pollMs);
    }
  }

  /** The persisted cursor; with none, the current horizon (made durable first, so every relay agrees). */
  private async initialCursor(client: pg.Client): Promise<Cursor> {
    const key = liveEventsCursorKey(this.options.prefix);
    const stored = await this.options.redis.get(key);
    if (stored !== null) return parseCursor(stored);
    const { rows } = await client.query<{ xid: string }>(`SELECT xid::text AS xid FROM (${HORIZON_SQL}) AS horizon`);
    await this.options.redis.set(key, formatCursor({ xid: rows[0]!.xid, kind: 0, id: '0', n: '0' }), 'NX');
    const agreed = await this.options.redis.get(key);
    this.options.logger.info({ cursor: agreed }, 'live events cursor initialized at the current horizon');
    return parseCursor(agreed!);
  }

  /** Reads one batch past `cursor` and publishes it; returns the new cursor. */
  private async publishRound(client: pg.Client, cursor: Cursor): Promise<{ outcome: RoundOutcome; next: Cursor }> {
    const bounds = boundsAfter(cursor);
    for (let limit = this.options.batchSize; ; limit *= 2) {
      const { rows } = await client.query<SourceRow>(READ_BATCH_SQL, [...bounds.orders, ...bounds.menu, limit]);
      if (rows.length === 0) return { outcome: 'idle', next: cursor };
      const cut = await this.cutBeforeLaterMoves(client, rows);
      if (cut === 'read-more') continue;
      if (cut === 'wait') return { outcome: 'waiting', next: cursor };
      const batch = rows.slice(0, cut);
      const next = await this.publish(cursor, batch);
      await this.pruneOutboxes(client, batch, next);
      return { outcome: cut === rows.length && rows.length >= this.options.batchSize ? 'more' : 'published', next };
    }
  }

  /**
   * How many of `rows` (in cursor order) can go now. A move of order X may not go while a
   * committed move of X past the batch happened earlier (`at` smaller): that one was written by
   * a transaction with a higher xid that the move's own transaction waited for. Then: publish
   * what comes before the move; if that is nothing, read a bigger batch when every such earlier
   * move is below the horizon, else wait for the horizon to pass them.
   */
  private async cutBeforeLaterMoves(client: pg.Client, rows: SourceRow[]): Promise<number | 'read-more' | 'wait'> {
    const moves = rows.filter((row) => row.kind === 0);
    if (moves.length === 0) return rows.length;
    const orderIds = [...new Set(moves.map((row) => row.order_id!))];
    const latest = moves.reduce((max, row) => (row.at_us > max ? row.at_us : max), moves[0]!.at_us);
    const end = rows[rows.length - 1]!;
    const endBound = end.kind === 0 ? [end.xid, end.id, end.n] : [end.xid, MAX_BIGINT, MAX_BIGINT];
    const { rows: later } = await client.query<{ order_id: string; at_us: string; eligible: boolean }>(LATER_MOVES_SQL, [orderIds, ...endBound, latest]);
    if (later.length === 0) return rows.length;
    const earliestLater = new Map<string, { at_us: string; eligible: boolean }[]>();
    for (const row of later) earliestLater.set(row.order_id, [...(earliestLater.get(row.order_id) ?? []), row]);
    const firstBlocked = rows.findIndex((row) => row.order_id !== null && (earliestLater.get(row.order_id) ?? []).some((move) => move.at_us < row.at_us));
    if (firstBlocked < 0) return rows.length;
    if (firstBlocked > 0) return firstBlocked;
    const blocked = rows[0]!;
    const earlierMoves = earliestLater.get(blocked.order_id!)!.filter((move) => move.at_us < blocked.at_us);
    return earlierMoves.every((move) => move.eligible) ? 'read-more' : 'wait';
  }

  private async publish(cursor: Cursor, rows: SourceRow[]): Promise<Cursor> {
    const last = rows[rows.length - 1]!;
    const next: Cursor = { xid: last.xid, kind: last.kind, id: last.id, n: last.n };
    const inTimeOrder = [...rows].sort((a, b) => (a.at_us < b.at_us ? -1 : a.at_us > b.at_us ? 1 : 0));
    const orders: LiveOrderEvent[] = [];
    const dishIds = new Set<string>();
    let menuChanges = 0;
    for (const row of inTimeOrder) {
      if (row.kind === 0) {
        orders.push({ orderId: row.order_id!, userId: row.user_id!, status: row.status!, at: row.at.toISOString() });
      } else {
        menuChanges += 1;
        for (const dishId of row.dish_ids ?? []) dishIds.add(dishId);
      }
    }
    const batch: LiveEventBatch = { orders, menu: menuChanges > 0, dishIds: [...dishIds].sort() };
    const id = (await this.options.redis.eval(
      PUBLISH_SCRIPT,
      2,
      liveEventsStreamKey(this.options.prefix),
      liveEventsCursorKey(this.options.prefix),
      formatCursor(cursor),
      formatCursor(next),
      JSON.stringify(batch),
      String(this.options.retentionSeconds * 1000),
      LIVE_EVENTS_FIELD,
    )) as string | null;
    if (id === null) throw new LostLeadershipError('the live events cursor moved under this relay: another relay is publishing');
    this.options.onPublished?.({ id, orderEvents: orders.length, menuChanges });
    return next;
  }

  /**
   * Once published (cursor durable in Redis) outbox rows are deleted: menu rows up to the
   * cursor, order events rows before the cursor's (which may still hold moves to publish).
   */
  private async pruneOutboxes(client: pg.Client, published: SourceRow[], next: Cursor): Promise<void> {
    const bounds = boundsAfter(next);
    if (published.some((row) => row.kind === 0)) {
      await client.query('DELETE FROM order_status_events WHERE (xid, id) < ($1::xid8, $2::bigint)', [bounds.orders[0], bounds.orders[1]]);
    }
    if (published.some((row) => row.kind === 1)) {
      await client.query('DELETE FROM menu_changes WHERE (xid, id) <= ($1::xid8, $2::bigint)', bounds.menu);
    }
  }

  /** Waits `ms`, or less when woken (a notification, close, a broken connection). */
  private async sleep(ms: number): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
    this.wake = undefined;
  }
}
