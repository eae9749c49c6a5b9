import assert from 'node:assert/strict';
import { liveEventsStreamKey, type LiveEventBatch } from '@dishpatch/orders-core/live-events';
import { TestIssuer, waitFor } from '@dishpatch/shared/testing';
import { Redis } from 'ioredis';
import { startGateway, type GraphQLBody, type RunningGateway } from './gateway-client.js';
import { startStubAuth, startStubOrders, type OrderHold, type StubSubgraph } from './stub-subgraphs.js';

export const MULTIPART_ACCEPT = 'multipart/mixed;subscriptionSpec=1.0, application/json';

/** One multipart subscription read part by part: payloads in order (heartbeats skipped), then `ended`. */
export class MultipartSubscription {
  readonly payloads: GraphQLBody[] = [];
  ended = false;
  private text = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly reading: Promise<void>;

  constructor(response: Response) {
    this.reader = response.body!.getReader();
    this.reading = this.read();
  }

  private async read(): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await this.reader.read();
        if (done) break;
        this.text += decoder.decode(value, { stream: true });
        this.parse();
      }
    } catch {
      // cancelled by the test
    }
    this.ended = true;
  }

  /** Parts are written whole (a boundary, headers, one JSON body): a body that parses is complete. */
  private parse(): void {
    for (;;) {
      if (!this.text.startsWith('\r\n--graphql')) return;
      if (this.text.startsWith('\r\n--graphql--')) {
        this.text = '';
        return;
      }
      const next = this.text.indexOf('\r\n--graphql', 2);
      const part = next < 0 ? this.text : this.text.slice(0, next);
      const headEnd = part.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const body = part.slice(headEnd + 4);
      let parsed: { payload?: GraphQLBody };
      try {
        parsed = JSON.parse(body) as { payload?: GraphQLBody };
      } catch {
        if (next < 0) return; // the rest of this part has not come yet
        throw new Error(`a multipart part that is not JSON: ${body}`);
      }
      this.text = next < 0 ? '' : this.text.slice(next);
      if (parsed.payload) this.payloads.push(parsed.payload); // `{}` is a heartbeat
    }
  }

  /** Waits until `count` payloads have come. */
  async payloadsUpTo(count: number): Promise<GraphQLBody[]> {
    await waitFor(`${count} payloads (have ${this.payloads.length})`, () => (this.payloads.length >= count ? true : undefined));
    return this.payloads;
  }

  /** Waits for the server to end the stream. */
  async end(): Promise<GraphQLBody[]> {
    await this.reading;
    return this.payloads;
  }

  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => {});
    await this.reading;
  }
}

export async function subscribeMultipart(gateway: RunningGateway, query: string, headers: Record<string, string> = {}): Promise<MultipartSubscription> {
  const response = await fetch(`${gateway.base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: MULTIPART_ACCEPT, ...headers },
    body: JSON.stringify({ query }),
  });
  assert.equal(response.status, 200);
  return new MultipartSubscription(response);
}

/** Adds a stream entry in the relay's format (live-events-format.ts): one field, `batch`, holding the batch's JSON. */
export async function addLiveEntry(redis: Redis, prefix: string, batch: LiveEventBatch): Promise<void> {
  await redis.xadd(liveEventsStreamKey(prefix), '*', 'batch', JSON.stringify(batch));
}

/** One `next` event of a graphql-sse stream: its id (absent for the current state) and its result. */
export interface SseEvent {
  id: string | undefined;
  result: GraphQLBody;
}

/**
 * One SSE subscription read as an EventSource reads it: `next` events in order (heartbeat
 * comments skipped), the last id seen, then `ended` after `complete`.
 */
export class SseSubscription {
  readonly events: SseEvent[] = [];
  /** The id a reconnecting EventSource sends as Last-Event-ID. */
  lastEventId: string | undefined;
  ended = false;
  private readonly controller: AbortController;
  private readonly reading: Promise<void>;

  constructor(response: Response, controller: AbortController) {
    this.controller = controller;
    this.reading = this.read(response);
  }

  private async read(response: Response): Promise<void> {
    let text = '';
    try {
      for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) {
        text += chunk;
        let boundary: number;
        while ((boundary = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, boundary).split('\n');
          text = text.slice(boundary + 2);
          const field = (name: string) => block.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
          const id = field('id');
          if (id !== undefined) this.lastEventId = id;
          if (field('event') === 'next') this.events.push({ id, result: JSON.parse(field('data')!) as GraphQLBody });
        }
      }
    } catch {
      // cancelled by the test
    }
    this.ended = true;
  }

  async eventsUpTo(count: number): Promise<SseEvent[]> {
    await waitFor(`${count} SSE events (have ${this.events.length})`, () => (this.events.length >= count ? true : undefined));
    return this.events;
  }

  async end(): Promise<SseEvent[]> {
    await this.reading;
    return this.events;
  }

  /** The client goes away (a lost connection, a closed tab). */
  async cancel(): Promise<void> {
    this.controller.abort();
    await this.reading;
  }
}

export async function subscribeSse(gateway: RunningGateway, query: string, headers: Record<string, string> = {}): Promise<SseSubscription> {
  const controller = new AbortController();
  const response = await fetch(`${gateway.base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query }),
    signal: controller.signal,
  });
  assert.equal(response.status, 200);
  return new SseSubscription(response, controller);
}

/** Stub subgraphs, a token issuer and a gateway that reads a live-events stream of its own (under `prefix`). */
export interface LiveStubSystem {
  auth: StubSubgraph;
  orders: StubSubgraph;
  issuer: TestIssuer;
  gateway: RunningGateway;
  /** Adds one entry to the gateway's stream, empty but for what `batch` says. */
  addEntry(batch: Partial<LiveEventBatch>): Promise<void>;
  /** Closes everything and deletes the stream. */
  stop(): Promise<void>;
}

export async function startLiveStubSystem(prefix: string, options: { hold?: OrderHold; env?: Record<string, string> } = {}): Promise<LiveStubSystem> {
  const auth = await startStubAuth();
  const orders = await startStubOrders(options.hold);
  const issuer = await new TestIssuer().start();
  const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: false });
  const addEntry = (batch: Partial<LiveEventBatch>) => addLiveEntry(redis, prefix, { orders: [], menu: false, dishIds: [], ...batch });
  // The stream exists before the gateway starts, so its feed reads from the first entry on.
  await addEntry({});
  const gateway = await startGateway({
    AUTH_SUBGRAPH_URL: auth.url,
    ORDERS_SUBGRAPH_URL: orders.url,
    REDIS_PREFIX: prefix,
    AUTH_JWKS_URL: issuer.jwksUrl,
    GATEWAY_HEARTBEAT_MS: '60000',
    ...options.env,
  });
  const stop = async () => {
    await gateway.app.close();
    await auth.stop();
    await orders.stop();
    await issuer.stop();
    await redis.del(liveEventsStreamKey(prefix));
    redis.disconnect();
  };
  return { auth, orders, issuer, gateway, addEntry, stop };
}
