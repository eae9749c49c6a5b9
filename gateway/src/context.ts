import type { IncomingMessage } from 'node:http';
import type { Logger } from '@dishpatch/shared/observability';

/** What the gateway knows about one client request and passes on to every subgraph fetch it makes. */
export interface GatewayContext {
  /** The client's Authorization header, untouched: each subgraph verifies the token itself. */
  authorization: string | undefined;
  /** Set (or made) by the HttpService before the context is built, so it is always there. */
  requestId: string;
  /** The X-Forwarded-For chain the subgraphs see, ending with the client's address. */
  forwardedFor: string;
  userAgent: string | undefined;
  /** The request's logger: its lines carry the request id (shared observability/request-context.ts). */
  log: Logger;
}

/** A header's first value; a blank one counts as absent. */
export function firstHeader(value: string | string[] | undefined): string | undefined {
  const single = Array.isArray(value) ? value[0] : value;
  return single === undefined || single.trim() === '' ? undefined : single;
}

/**
 * A client's own X-Forwarded-For is kept only behind a trusted proxy: otherwise any client
 * could choose the address that login rate limits count against.
 */
export function gatewayContextFrom(req: IncomingMessage, options: { trustForwardedFor: boolean; log: Logger }): GatewayContext {
  const peer = req.socket.remoteAddress ?? 'unknown';
  const claimed = firstHeader(req.headers['x-forwarded-for']);
  return {
    authorization: firstHeader(req.headers.authorization),
    requestId: firstHeader(req.headers['x-request-id']) ?? '',
    forwardedFor: options.trustForwardedFor && claimed !== undefined ? `${claimed}, ${peer}` : peer,
    userAgent: firstHeader(req.headers['user-agent']),
    log: options.log,
  };
}
