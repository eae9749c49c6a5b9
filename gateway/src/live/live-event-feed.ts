import { lastLiveEventId, oldestLiveEventId, rangeLiveEvents, readLiveEvents, type LiveEventEntry } from '@dishpatch/orders-core/live-events';
import type { Logger } from '@dishpatch/shared/observability';
import type { Redis } from 'ioredis';

export type LiveEventListener = (entry: LiveEventEntry) => void;

export interface LiveEventFeedOptions {
  /** A connection of its own: XREAD BLOCK holds it. */
  reader: Redis;
  /** For short reads beside the blocked one (an SSE client resuming from Last-Event-ID). */
  commands: Redis;
  prefix: string;
  logger: Logger;
  /** How long one XREAD waits before it is asked again (so close() is never held longer). Default 1000 ms. */
  blockMs?: number;
}

/** Most entries a resuming client may replay; beyond that it must start over with the current state. */
const MAX_REPLAY_ENTRIES = 10_000;
const REPLAY_PAGE = 500;

/**
 * The one reader of `${REDIS_PREFIX}live:events` in this process: a loop of XREAD BLOCK that
 * hands every entry, in stream order, to every listener. Each gateway process (cluster worker
 * or instance) runs its own, so each sees the whole stream. It starts at the newest entry when
 * the process starts; an entry read is never skipped, even across a Redis outage (it resumes
 * after the last id it handed out).
 */
export class LiveEventFeed {
  private readonly listeners = new Set<LiveEventListener>();
  private readonly blockMs: number;
  private lastId: string | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private started: Promise<void> | undefined;

  constructor(private readonly options: LiveEventFeedOptions) {
    this.blockMs = options.blockMs ?? 1000;
  }

  /** Resolves once the feed knows where "now" is, so a subscriber added after it misses nothing later. */
  start(): Promise<void> {
    this.started ??= (async () => {
      // Redis may be down when the gateway starts: queries must not wait for it, so keep asking.
      while (!this.closed && this.lastId === undefined) {
        try {
          this.lastId = await lastLiveEventId(this.options.commands, this.options.prefix);
        } catch (error) {
          this.options.logger.warn({ err: error }, 'could not find where the live-events stream ends; retrying');
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
      if (!this.closed) this.running = this.follow();
    })();
    return this.started;
  }

  /** The last entry handed out: a new subscriber's events come after it. */
  get position(): string | undefined {
    return this.lastId;
  }

  listen(listener: LiveEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The entries from `fromId` (itself included: a client may have seen only part of it) up to
   * the feed's own position `upTo`, for a client resuming with Last-Event-ID; or null when
   * `fromId` is older than the oldest entry kept: entries it missed may be trimmed, so the
   * client must start over from the current state.
   */
  async replay(fromId: string, upTo: string): Promise<LiveEventEntry[] | null> {
    const oldest = await oldestLiveEventId(this.options.commands, this.options.prefix);
    if (oldest === null || compareIds(fromId, oldest) < 0) return null;
    const entries: LiveEventEntry[] = [];
    let start = fromId;
    while (entries.length < MAX_REPLAY_ENTRIES) {
      const page = await rangeLiveEvents(this.options.commands, this.options.prefix, start, upTo, Math.min(REPLAY_PAGE, MAX_REPLAY_ENTRIES - entries.length));
      if (page.length === 0) break;
      entries.push(...page);
      start = `(${page.at(-1)!.id}`;
    }
    return entries;
  }

  private async follow(): Promise<void> {
    while (!this.closed) {
      let entries: LiveEventEntry[];
      try {
        entries = await readLiveEvents(this.options.reader, this.options.prefix, this.lastId ?? '$', this.blockMs);
      } catch (error) {
        if (this.closed) return;
        this.options.logger.warn({ err: error }, 'reading live events failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      for (const entry of entries) {
        this.lastId = entry.id;
        for (const listener of this.listeners) {
          try {
            listener(entry);
          } catch (error) {
            this.options.logger.error({ err: error }, 'a live-event listener failed');
          }
        }
      }
    }
  }

  /** Stops reading; the blocked XREAD ends when its connection is closed (or within blockMs). */
  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    await this.running?.catch(() => {});
  }
}

/** Orders two stream ids (`<ms>-<seq>`) numerically. */
export function compareIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bMs, bSeq] = b.split('-').map(BigInt) as [bigint, bigint];
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  if (aSeq !== bSeq) return aSeq < bSeq ? -1 : 1;
  return 0;
}
