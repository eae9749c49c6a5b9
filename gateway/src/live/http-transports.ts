import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLHttpRequest } from '@dishpatch/shared/http';
import type { FormattedExecutionResult } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { LiveStream } from './live-stream.js';
import type { LiveSubscriptions } from './live-subscriptions.js';
import type { ParsedRequests } from './subscription-operation.js';


export interface LiveHttpOptions {
  live: LiveSubscriptions;
  /** Runs a query or mutation sent over SSE (graphql-sse serves every operation type). */
  executeOnce: (body: Record<string, unknown>, context: GatewayContext) => Promise<FormattedExecutionResult>;
  contextFor: (req: IncomingMessage) => GatewayContext;
  heartbeatMs: number;
  requests: ParsedRequests;
}

const MULTIPART_CONTENT_TYPE = 'multipart/mixed; boundary="graphql"; subscriptionSpec="1.0"';
const MULTIPART_PART_HEAD = '\r\n--graphql\r\ncontent-type: application/json; charset=utf-8\r\n\r\n';
const MULTIPART_END = '\r\n--graphql--\r\n';
/** The media types /graphql answers with; anything else in Accept gets 406. */
const SERVED_MEDIA = ['application/graphql-response+json', 'application/json', 'multipart/mixed', 'text/event-stream'];

type Transport = 'multipart' | 'sse';

/** Media ranges of an Accept header, lower-cased, parameters kept (`multipart/mixed;subscriptionspec=1.0`), q=0 left out. */
function mediaRanges(accept: string): string[] {
  return accept
    .toLowerCase()
    .split(',')
    .map((range) => range.replace(/\s+/g, ''))
    .filter((range) => range !== '' && !/;q=0(\.0*)?(;|$)/.test(range));
}

function transportFor(ranges: string[]): Transport | undefined {
  if (ranges.some((range) => range.startsWith('multipart/mixed') && range.includes('subscriptionspec='))) return 'multipart';
  if (ranges.some((range) => range.startsWith('text/event-stream'))) return 'sse';
  return undefined;
}

function servesAny(ranges: string[]): boolean {
  return ranges.some((range) => {
    const type = range.split(';')[0]!;
    if (type === '*/*') return true;
    if (type.endsWith('/*')) return SERVED_MEDIA.some((served) => served.startsWith(type.slice(0, -1)));
    return SERVED_MEDIA.includes(type);
  });
}

/**
 * The HTTP side of live updates, ahead of Apollo on /graphql: a subscription asked for with
 * Apollo's multipart Accept or with `text/event-stream` is streamed here; an Accept header no
 * transport serves is 406; everything else (queries, mutations, a subscription in a plain JSON
 * POST, which Apollo's validation refuses with a clear 400) goes on to Apollo. Returns whether
 * it answered.
 */
export function liveHttpHandler(options: LiveHttpOptions) {
  return async (req: IncomingMessage, res: ServerResponse, request: GraphQLHttpRequest): Promise<boolean> => {
    const accept = req.headers.accept;
    const ranges = accept === undefined || accept.trim() === '' ? ['*/*'] : mediaRanges(accept);
    if (!servesAny(ranges)) {
      sendJson(res, 406, {
        errors: [{ message: `Accept "${accept}" names no media type this endpoint serves: ${SERVED_MEDIA.join(', ')} (multipart/mixed;subscriptionSpec=1.0 and text/event-stream for subscriptions)`, extensions: { code: 'NOT_ACCEPTABLE' } }],
      });
      return true;
    }
    const transport = transportFor(ranges);
    if (!transport || request.method !== 'POST' && request.method !== 'GET') return false;
    const params = requestParams(request);
    if (!params) return false;
    const parsed = options.requests.parse(params['query'], params['operationName']);
    if (parsed.kind === 'other' && transport === 'multipart') return false; // Apollo answers queries, with @defer in multipart
    const context = options.contextFor(req);
    const writer = transport === 'sse' ? new SseWriter(res) : new MultipartWriter(res);
    if (parsed.kind === 'invalid') {
      writer.open();
      await writer.write({ errors: [parsed.error.toJSON()] });
      writer.close();
      return true;
    }
    if (parsed.kind === 'other') {
      writer.open();
      await writer.write(await options.executeOnce(params, context));
      writer.close();
      return true;
    }
    const variables = (typeof params['variables'] === 'object' && params['variables'] !== null ? params['variables'] : {}) as Record<string, unknown>;
    const lastEventId = transport === 'sse' ? firstHeader(req.headers['last-event-id']) : undefined;
    const stream = await options.live.subscribe({ operation: parsed.operation, variables, context, ...(lastEventId ? { lastEventId } : {}) });
    await pipe(stream, writer, res, options.heartbeatMs);
    return true;
  };
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  const single = Array.isArray(value) ? value[0] : value;
  return single?.trim() || undefined;
}

/** The GraphQL parameters of a POST body or a GET query string. */
function requestParams(request: GraphQLHttpRequest): Record<string, unknown> | undefined {
  if (request.method === 'POST') {
    return typeof request.body === 'object' && request.body !== null && !Array.isArray(request.body) ? (request.body as Record<string, unknown>) : undefined;
  }
  const search = new URLSearchParams(request.search);
  const params: Record<string, unknown> = { query: search.get('query'), operationName: search.get('operationName') ?? undefined };
  try {
    const variables = search.get('variables');
    if (variables) params['variables'] = JSON.parse(variables) as unknown;
  } catch {
    return undefined;
  }
  return params;
}

/** Streams a subscription's results to the client, with heartbeats while idle; a closed connection ends the subscription. */
async function pipe(stream: LiveStream, writer: StreamWriter, res: ServerResponse, heartbeatMs: number): Promise<void> {
  res.on('close', () => stream.cancel());
  writer.open();
  const heartbeat = setInterval(() => writer.heartbeat(), heartbeatMs);
  try {
    for await (const message of stream) {
      if (res.destroyed) break;
      await writer.write(message.result, message.eventId);
    }
  } finally {
    clearInterval(heartbeat);
    writer.close();
  }
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

interface StreamWriter {
  open(): void;
  /** Resolves when the socket has room again, so a slow reader stops the stream from being read. */
  write(result: FormattedExecutionResult, eventId?: string): Promise<void>;
  heartbeat(): void;
  close(): void;
}

abstract class ChunkWriter {
  constructor(protected readonly res: ServerResponse) {}

  protected async send(chunk: string): Promise<void> {
    if (this.res.destroyed || this.res.writableEnded) return;
    if (this.res.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }
}

/** Apollo's multipart subscription protocol: parts of `{"payload": …}`, `{}` heartbeats, `--graphql--` at the end. */
class MultipartWriter extends ChunkWriter implements StreamWriter {
  open(): void {
    this.res.writeHead(200, { 'content-type': MULTIPART_CONTENT_TYPE, 'cache-control': 'no-cache, no-store' });
    this.res.flushHeaders();
  }

  write(result: FormattedExecutionResult): Promise<void> {
    return this.send(`${MULTIPART_PART_HEAD}${JSON.stringify({ payload: result })}`);
  }

  heartbeat(): void {
    void this.send(`${MULTIPART_PART_HEAD}{}`);
  }

  close(): void {
    if (this.res.destroyed || this.res.writableEnded) return;
    this.res.end(MULTIPART_END);
  }
}

/** graphql-sse's distinct connections mode: `next` events (each with its place in the stream as its id, event-ids.ts), then `complete`. */
class SseWriter extends ChunkWriter implements StreamWriter {
  open(): void {
    this.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    this.res.flushHeaders();
  }

  write(result: FormattedExecutionResult, eventId?: string): Promise<void> {
    return this.send(`${eventId ? `id: ${eventId}\n` : ''}event: next\ndata: ${JSON.stringify(result)}\n\n`);
  }

  heartbeat(): void {
    void this.send(':\n\n');
  }

  close(): void {
    if (this.res.destroyed || this.res.writableEnded) return;
    this.res.end('event: complete\ndata:\n\n');
  }
}

