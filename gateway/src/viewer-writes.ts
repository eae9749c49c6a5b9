import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from './context.js';

/** Viewers remembered; past it the memory starts over, and so does every sharing of work in flight (see `onForget`). */
const MAX_REMEMBERED_VIEWERS = 10_000;

/** A blank Authorization is no viewer, as the gateway's context reads it. */
function viewerOf(authorization: string | undefined): string {
  return authorization === undefined || authorization.trim() === '' ? '' : authorization;
}

/**
 * A viewer's own writes are never hidden by work shared in flight. Without this, a client that
 * places an order and then asks for its orders could join an identical query of its own that
 * started before the order was committed, and be shown its orders without it.
 *
 * Each viewer (its Authorization, `''` for none) has a mark that changes when a mutation of its
 * has been answered. What is shared is keyed by the mark too, so a query sent after the
 * mutation's answer joins only work that started after it. Other viewers keep sharing.
 * (Another gateway process does not see this process's writes; what it shares is no older
 * than its own requests in flight, as before.)
 */
export class ViewerWrites {
  private lastWrite = 0;
  private readonly marks = new Map<string, number>();
  private readonly forgetListeners: Array<() => void> = [];

  /** What a query of this viewer is keyed by: the same until the viewer's next mutation is answered. */
  markOf(authorization: string | undefined): number {
    return this.marks.get(viewerOf(authorization)) ?? 0;
  }

  wrote(authorization: string | undefined): void {
    if (this.marks.size >= MAX_REMEMBERED_VIEWERS) {
      this.marks.clear();
      // Every viewer's mark is 0 again, as it was before its writes: work keyed by an old 0 must not be found.
      for (const listener of this.forgetListeners) listener();
    }
    this.lastWrite += 1;
    this.marks.set(viewerOf(authorization), this.lastWrite);
  }

  /** Called when the marks start over: a sharer then forgets every piece of work in flight. */
  onForget(listener: () => void): void {
    this.forgetListeners.push(listener);
  }
}

/**
 * Changes the viewer's mark once a mutation has run, before its answer leaves the gateway,
 * over any transport (HTTP, or a WebSocket's single operations), errors or not: a mutation
 * that failed may have written part of its work elsewhere.
 */
export function viewerWritesPlugin(writes: ViewerWrites): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operation, contextValue }) {
          if (operation?.operation === 'mutation') writes.wrote(contextValue.authorization);
        },
      };
    },
  };
}
