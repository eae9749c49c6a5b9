import type { ApolloServerPlugin } from '@apollo/server';
import { firstHeader, type GatewayContext } from './context.js';

/** Viewers remembered; past it the memory starts over (see `wrote`). */
const MAX_REMEMBERED_VIEWERS = 10_000;

/** The viewer as the gateway's context reads it: a blank Authorization is none. */
function viewerOf(authorization: string | undefined): string {
  return firstHeader(authorization) ?? '';
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
  /** The mark of a viewer not in `marks`: raised past every mark given when the memory starts over. */
  private unknownViewerMark = 0;
  private readonly marks = new Map<string, number>();

  /** What a query of this viewer is keyed by: the same until the viewer's next mutation is answered. */
  markOf(authorization: string | undefined): number {
    return this.marks.get(viewerOf(authorization)) ?? this.unknownViewerMark;
  }

  wrote(authorization: string | undefined): void {
    this.lastWrite += 1;
    if (this.marks.size >= MAX_REMEMBERED_VIEWERS) {
      // Every viewer forgotten gets a mark no work in flight was keyed by, so none of it is joined.
      this.marks.clear();
      this.unknownViewerMark = this.lastWrite;
      this.lastWrite += 1;
    }
    this.marks.set(viewerOf(authorization), this.lastWrite);
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
