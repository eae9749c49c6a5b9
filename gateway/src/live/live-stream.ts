import type { FormattedExecutionResult } from 'graphql';

/** One message of a live stream: a result, and the event it answers (the SSE event id). */
export interface LiveMessage {
  result: FormattedExecutionResult;
  /** The event's place in the live-events stream (event-ids.ts); absent for the first, current-state result. */
  eventId?: string;
}

/**
 * The results of one subscription, in order, for one transport to read with `for await`.
 * Bounded: `size` says how many wait unread, so the producer can drop a client that falls
 * behind instead of buffering without end. Ending it (either side) runs the cleanup once.
 */
export class LiveStream implements AsyncIterable<LiveMessage> {
  private readonly queue: LiveMessage[] = [];
  private waiting: ((value: IteratorResult<LiveMessage>) => void) | undefined;
  private ended = false;
  private readonly cleanups: Array<() => void> = [];

  get size(): number {
    return this.queue.length;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Runs once when the stream ends, whoever ends it. */
  onEnd(cleanup: () => void): void {
    if (this.ended) cleanup();
    else this.cleanups.push(cleanup);
  }

  push(message: LiveMessage): void {
    if (this.ended) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: message, done: false });
    } else {
      this.queue.push(message);
    }
  }

  /** Ends the stream after the messages already queued (and `last`, if given) are read. */
  end(last?: LiveMessage): void {
    if (this.ended) return;
    if (last) this.push(last);
    this.ended = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    if (this.waiting && this.queue.length === 0) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  /** The reader has gone: nothing queued is delivered. */
  cancel(): void {
    this.queue.length = 0;
    this.end();
  }

  [Symbol.asyncIterator](): AsyncIterator<LiveMessage> {
    return {
      next: () => {
        const message = this.queue.shift();
        if (message) return Promise.resolve({ value: message, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.waiting = resolve;
        });
      },
      return: () => {
        this.cancel();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
