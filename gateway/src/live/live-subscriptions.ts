import type { LiveEventEntry, LiveOrderEvent } from '@dishpatch/orders-core/live-events';
import type { Logger } from '@dishpatch/shared/observability';
import type { SessionRevocationList, TokenVerifier, Viewer } from '@dishpatch/shared/tokens';
import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import type { GatewayContext } from '../context.js';
import { eventId, isAfter, parseEventId, type EventPosition } from './event-ids.js';
import type { LiveEventFeed } from './live-event-feed.js';
import { LiveStream, type LiveMessage } from './live-stream.js';
import { EventQueryBatches, MAX_ORDERS_PER_QUERY, type EventFieldResult, type ExecuteEventQuery, type FitsSubgraphs } from './event-batches.js';
import { orderAtEvent } from './event-state.js';
import { eventVariables, subscribedOrderId, type LiveOperation } from './subscription-operation.js';

export interface LiveSubscriptionLimits {
  /** Live subscriptions this process holds at once. */
  maxSubscriptions: number;
  /** Results one subscriber may have waiting (events to resolve plus answers unread). */
  queueLimit: number;
}

export interface LiveSubscriptionsOptions {
  /** Runs an event query (a batch of validated selections, see event-batches.ts) through the federation. */
  execute: ExecuteEventQuery;
  fitsSubgraphs: FitsSubgraphs;
  feed: LiveEventFeed;
  verifier: TokenVerifier;
  revocations: SessionRevocationList;
  /** Validates an event query against the API schema with the gateway's guards; empty when it is fine. */
  validate: (query: string) => readonly GraphQLFormattedError[];
  limits: LiveSubscriptionLimits;
  logger: Logger;
  /** How often running subscriptions are checked against the revocation list. Default 500 ms. */
  revocationCheckMs?: number;
}

export interface LiveRequest {
  operation: LiveOperation;
  variables: Record<string, unknown>;
  /** The subscriber's request context (Authorization, request id, address), used for every event's query. */
  context: GatewayContext;
  /** An SSE client's Last-Event-ID (event-ids.ts): events after it are replayed before news. */
  lastEventId?: string;
}

const FINAL_STATUSES = new Set(['DONE', 'CANCELLED']);
const ENDING_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN']);
/** A subgraph answering SERVICE_UNAVAILABLE for an event is asked again this often, this many times (~30 s). */
const UNAVAILABLE_RETRY_MS = 500;
const UNAVAILABLE_RETRIES = 60;

function failure(code: string, message: string): FormattedExecutionResult {
  return { errors: [{ message, extensions: { code } }] };
}

/** No value because a subgraph it needs is down. */
function isUnavailable(result: EventFieldResult): boolean {
  return (result.value === null || result.value === undefined) && result.errors?.some((error) => error.extensions?.['code'] === 'SERVICE_UNAVAILABLE') === true;
}

interface TokenClaims {
  viewer: Viewer;
  issuedAtMs: number;
  expiresAtMs: number;
}

/** A token's `iat` and `exp`, read after TokenVerifier has verified it. */
function claimsOf(authorization: string, viewer: Viewer): TokenClaims {
  const token = authorization.replace(/^Bearer\s+/i, '').trim();
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iat: number; exp: number };
  return { viewer, issuedAtMs: payload.iat * 1000, expiresAtMs: payload.exp * 1000 };
}

/** An entry's menu event comes after its order events. */
function menuEventPosition(entry: LiveEventEntry): EventPosition {
  return { entryId: entry.id, index: entry.batch.orders.length };
}

/** The work one subscriber waits for: the current state, or an event from the stream. */
type Job = { kind: 'current' } | { kind: 'order'; at: EventPosition; event: LiveOrderEvent } | { kind: 'menu'; at: EventPosition };

/**
 * One running subscription: its rights, its queue of events to resolve, its results. Queued
 * events are fetched together (so they batch, see event-batches.ts) and shown one by one, each
 * as it was at its change (event-state.ts), so they reach the client in stream order (commit
 * order per order), one per committed change.
 */
class Subscriber {
  readonly stream = new LiveStream();
  /** The variables of this subscriber's event queries (the order id is each event's own). */
  readonly variables: Record<string, unknown>;
  private readonly jobs: Job[] = [];
  /** Jobs taken from the queue whose results are not shown yet. */
  private resolving = 0;
  private working = false;
  /** orderUpdated: how many of the order's changes the client has seen (the current state may already show a queued event's). */
  private shownChanges = 0;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly request: LiveRequest,
    readonly claims: TokenClaims | undefined,
    readonly orderId: string | undefined,
    private readonly engine: LiveSubscriptions,
  ) {
    this.variables = eventVariables(request.operation, request.variables);
    if (claims) {
      const delay = Math.max(0, claims.expiresAtMs - Date.now());
      // setTimeout's longest delay is ~24.8 days; a token lives minutes.
      this.expiryTimer = setTimeout(() => this.fail('UNAUTHENTICATED', 'Access token expired: refresh it and subscribe again'), Math.min(delay, 2 ** 31 - 1));
      this.stream.onEnd(() => clearTimeout(this.expiryTimer));
    }
  }

  get field() {
    return this.request.operation.field;
  }

  /** While set, news waits here: a resuming client's replay goes first, so its events stay in stream order. */
  private held: Job[] | undefined;
  /** A resuming client's last event: nothing up to it is queued again. Cleared at the first event after it. */
  private seen: EventPosition | undefined;

  hold(seen: EventPosition): void {
    this.held = [];
    this.seen = seen;
  }

  /** Queues the replayed jobs, then the news held meanwhile. */
  release(replayed: Job[]): void {
    const held = this.held ?? [];
    this.held = undefined;
    // A replay is as long as what was missed (bounded by the feed's replay cap), not by the queue limit.
    this.jobs.push(...replayed.filter((job) => this.isNew(job)));
    if (!this.working && this.jobs.length > 0) void this.work();
    for (const job of held) this.enqueue(job);
  }

  /** Queues a job; a subscriber this far behind is dropped rather than buffered without bound. */
  enqueue(job: Job): void {
    if (this.stream.isEnded) return;
    if (this.held) {
      if (this.held.length >= this.engine.limits.queueLimit) this.fail('SERVICE_UNAVAILABLE', 'This client reads its subscription too slowly and was dropped; subscribe again');
      else this.held.push(job);
      return;
    }
    if (!this.isNew(job)) return;
    if (this.jobs.length + this.resolving + this.stream.size >= this.engine.limits.queueLimit) {
      this.fail('SERVICE_UNAVAILABLE', 'This client reads its subscription too slowly and was dropped; subscribe again');
      return;
    }
    this.jobs.push(job);
    if (!this.working) void this.work();
  }

  /** Whether a job comes after what a resuming client has seen (events reach it in stream order, so once one does, all do). */
  private isNew(job: Job): boolean {
    if (job.kind === 'current' || this.seen === undefined) return true;
    if (!isAfter(job.at, this.seen)) return false;
    this.seen = undefined;
    return true;
  }

  fail(code: string, message: string): void {
    this.stream.end({ result: failure(code, message) });
  }

  private async work(): Promise<void> {
    this.working = true;
    try {
      while (!this.stream.isEnded && this.jobs.length > 0) {
        const round = this.jobs.splice(0, MAX_ORDERS_PER_QUERY);
        this.resolving = round.length;
        const fetched = round.map((job) => this.fetch(job));
        for (const [index, job] of round.entries()) {
          const result = await fetched[index]!;
          this.resolving -= 1;
          if (this.stream.isEnded) return;
          await this.show(job, result);
        }
      }
    } catch (error) {
      this.engine.logger.error({ err: error }, 'a live subscription failed');
      this.fail('INTERNAL_SERVER_ERROR', 'Internal server error');
    } finally {
      this.working = false;
      this.resolving = 0;
    }
  }

  private fetch(job: Job): Promise<EventFieldResult> {
    const orderId = job.kind === 'order' ? job.event.orderId : this.orderId;
    return this.engine.batches.load(this.request.operation, this.variables, this.request.context, orderId);
  }

  private async show(job: Job, fetched: EventFieldResult): Promise<void> {
    const { operation } = this.request;
    const id = job.kind === 'current' ? undefined : eventId(job.at);
    let result = fetched;
    // A subgraph restarting must not cost a connected client its event: ask again for a while.
    for (let attempt = 1; isUnavailable(result) && attempt < UNAVAILABLE_RETRIES; attempt += 1) {
      await new Promise((resolveDelay) => setTimeout(resolveDelay, UNAVAILABLE_RETRY_MS));
      if (this.stream.isEnded) return;
      result = await this.fetch(job);
      if (this.stream.isEnded) return;
    }
    const { value, errors } = result;
    if (value === null || value === undefined) {
      const codes = new Set(errors?.map((error) => String(error.extensions?.['code'])));
      const ends = operation.field === 'orderUpdated' || operation.field === 'menuUpdates' || [...codes].some((code) => ENDING_CODES.has(code) || code === 'SERVICE_UNAVAILABLE');
      if (!ends) {
        // A feed's order this viewer may not see after all (e.g. NOT_FOUND): nothing to show.
        this.engine.logger.debug({ errors, eventId: id }, 'a live event resolved to nothing for this subscriber');
        return;
      }
      // The order is not the viewer's (NOT_FOUND), a bad id, rights lost, or a subgraph down too long.
      const ending = errors?.length ? errors : [{ message: `No order with id ${this.orderId ?? ''}`, extensions: { code: 'NOT_FOUND' } }];
      this.stream.end({ result: { errors: ending }, eventId: id });
      return;
    }
    let shown = value;
    let status: string | undefined;
    if (operation.field !== 'menuUpdates') {
      const state = orderAtEvent(value as Record<string, unknown>, operation.changedFields!, job.kind === 'order' ? job.event : undefined);
      if (operation.field === 'orderUpdated') {
        if (job.kind === 'order' && state.changes <= this.shownChanges) return;
        this.shownChanges = state.changes;
      }
      shown = state.order;
      status = state.status;
    }
    const data = { [operation.responseKey]: shown };
    const message: LiveMessage = { result: errors ? { data, errors } : { data }, eventId: id };
    if (operation.field === 'orderUpdated' && FINAL_STATUSES.has(String(status))) this.stream.end(message);
    else this.stream.push(message);
  }
}

/**
 * Runs the gateway's subscriptions: one listener on the live-event feed fans each entry out by
 * order id (orderUpdated), user id (myOrderUpdates), to the kitchen and to menu subscribers,
 * and each event's selection is resolved through the federation as the query `order(id)` or
 * `menu`, with the subscriber's own context, so the gateway's guards, query plans and the
 * subgraphs' per-field rights apply to every event exactly as to a query.
 */
export class LiveSubscriptions {
  readonly logger: Logger;
  readonly limits: LiveSubscriptionLimits;
  private readonly all = new Set<Subscriber>();
  private readonly byOrder = new Map<string, Set<Subscriber>>();
  private readonly byUser = new Map<string, Set<Subscriber>>();
  private readonly kitchen = new Set<Subscriber>();
  private readonly menu = new Set<Subscriber>();
  readonly batches: EventQueryBatches;
  /** Each document is validated once: identical subscriptions share one LiveOperation (ParsedRequests), and the supergraph is static. */
  private readonly validated = new WeakMap<LiveOperation, readonly GraphQLFormattedError[]>();
  private readonly stopListening: () => void;
  private readonly revocationTimer: NodeJS.Timeout;

  constructor(private readonly options: LiveSubscriptionsOptions) {
    this.logger = options.logger;
    this.limits = options.limits;
    this.batches = new EventQueryBatches(options.execute, options.fitsSubgraphs, options.logger);
    this.stopListening = options.feed.listen((entry) => this.dispatch(entry));
    this.revocationTimer = setInterval(() => void this.checkRevocations(), options.revocationCheckMs ?? 500);
    this.revocationTimer.unref();
  }

  get count(): number {
    return this.all.size;
  }

  /**
   * Starts a subscription: checks the token and the field's rights, validates the event query,
   * registers it before anything is read (so no event after "now" is missed), then queues the
   * current state (orderUpdated, menuUpdates) or the replay after `lastEventId`. A refusal is a
   * stream of one error that ends at once.
   */
  async subscribe(request: LiveRequest): Promise<LiveStream> {
    const refused = (code: string, message: string) => {
      const stream = new LiveStream();
      stream.end({ result: failure(code, message) });
      return stream;
    };
    if (this.all.size >= this.limits.maxSubscriptions) return refused('SERVICE_UNAVAILABLE', 'This gateway holds as many subscriptions as it may; try again later');
    const { operation, context } = request;
    let validationErrors = this.validated.get(operation);
    if (!validationErrors) this.validated.set(operation, (validationErrors = this.options.validate(operation.query)));
    if (validationErrors.length > 0) {
      const stream = new LiveStream();
      stream.end({ result: { errors: [...validationErrors] } });
      return stream;
    }
    const authentication = await this.options.verifier.authenticate(context.authorization);
    if (authentication.unavailableService) return refused('SERVICE_UNAVAILABLE', authentication.problem ?? 'Could not verify the session, try again');
    if (authentication.problem) return refused('UNAUTHENTICATED', authentication.problem);
    const viewer = authentication.viewer;
    if ((operation.field === 'myOrderUpdates' || operation.field === 'kitchenUpdates') && !viewer) {
      return refused('UNAUTHENTICATED', `Sign in to subscribe to ${operation.field}`);
    }
    if (operation.field === 'kitchenUpdates' && viewer?.role !== 'CHEF' && viewer?.role !== 'MANAGER') {
      return refused('FORBIDDEN', 'kitchenUpdates is for staff (CHEF, MANAGER) only');
    }
    // Checked again after the awaits above: subscriptions arriving together must not all pass the first check.
    if (this.all.size >= this.limits.maxSubscriptions) return refused('SERVICE_UNAVAILABLE', 'This gateway holds as many subscriptions as it may; try again later');
    const orderId = subscribedOrderId(operation, request.variables);
    if (operation.field === 'orderUpdated' && orderId === undefined) {
      const argument = operation.orderIdArgument;
      return refused('BAD_USER_INPUT', `orderUpdated needs an order id: ${argument && 'variable' in argument ? `variable "$${argument.variable}" holds none` : 'argument "id" holds none'}`);
    }
    const seen = request.lastEventId === undefined ? undefined : parseEventId(request.lastEventId);
    if (request.lastEventId !== undefined && seen === undefined) {
      return refused('BAD_USER_INPUT', `Last-Event-ID ${JSON.stringify(request.lastEventId.slice(0, 100))} is not an event id: send the id of the last event received ("<entry id>:<index>")`);
    }
    const subscriber = new Subscriber(request, viewer && context.authorization ? claimsOf(context.authorization, viewer) : undefined, orderId, this);
    const position = this.options.feed.position;
    const resuming = seen !== undefined && position !== undefined;
    if (resuming) subscriber.hold(seen);
    this.register(subscriber);
    if (resuming) {
      let missed: LiveEventEntry[] | null = null;
      try {
        missed = await this.options.feed.replay(seen.entryId, position);
      } catch (error) {
        this.logger.warn({ err: error }, 'could not replay live events after Last-Event-ID; starting from the current state');
      }
      const replayed = (missed ?? []).flatMap((entry) => this.jobsFor(entry, subscriber));
      if (missed === null && (operation.field === 'orderUpdated' || operation.field === 'menuUpdates')) replayed.unshift({ kind: 'current' });
      subscriber.release(replayed);
      return subscriber.stream;
    }
    if (operation.field === 'orderUpdated' || operation.field === 'menuUpdates') subscriber.enqueue({ kind: 'current' });
    return subscriber.stream;
  }

  private register(subscriber: Subscriber): void {
    const { orderId } = subscriber;
    this.all.add(subscriber);
    const index = this.indexOf(subscriber);
    index.add(subscriber);
    subscriber.stream.onEnd(() => {
      this.all.delete(subscriber);
      index.delete(subscriber);
      if (index.size === 0) {
        if (orderId !== undefined && this.byOrder.get(orderId) === index) this.byOrder.delete(orderId);
        const userId = subscriber.claims?.viewer.userId;
        if (userId !== undefined && this.byUser.get(userId) === index) this.byUser.delete(userId);
      }
    });
  }

  private indexOf(subscriber: Subscriber): Set<Subscriber> {
    const keyed = (map: Map<string, Set<Subscriber>>, key: string) => {
      let set = map.get(key);
      if (!set) map.set(key, (set = new Set()));
      return set;
    };
    switch (subscriber.field) {
      case 'orderUpdated':
        return keyed(this.byOrder, subscriber.orderId!);
      case 'myOrderUpdates':
        return keyed(this.byUser, subscriber.claims!.viewer.userId);
      case 'kitchenUpdates':
        return this.kitchen;
      case 'menuUpdates':
        return this.menu;
    }
  }

  private dispatch(entry: LiveEventEntry): void {
    entry.batch.orders.forEach((event, index) => {
      const job: Job = { kind: 'order', at: { entryId: entry.id, index }, event };
      for (const subscriber of this.byOrder.get(event.orderId) ?? []) subscriber.enqueue(job);
      for (const subscriber of this.byUser.get(event.userId) ?? []) subscriber.enqueue(job);
      for (const subscriber of this.kitchen) subscriber.enqueue(job);
    });
    if (entry.batch.menu) {
      const job: Job = { kind: 'menu', at: menuEventPosition(entry) };
      for (const subscriber of this.menu) subscriber.enqueue(job);
    }
  }

  /** One subscriber's share of an entry it missed (a resuming SSE client). */
  private jobsFor(entry: LiveEventEntry, subscriber: Subscriber): Job[] {
    const jobs: Job[] = [];
    entry.batch.orders.forEach((event, index) => {
      const wanted =
        subscriber.field === 'kitchenUpdates' ||
        (subscriber.field === 'orderUpdated' && event.orderId === subscriber.orderId) ||
        (subscriber.field === 'myOrderUpdates' && event.userId === subscriber.claims?.viewer.userId);
      if (wanted) jobs.push({ kind: 'order', at: { entryId: entry.id, index }, event });
    });
    if (entry.batch.menu && subscriber.field === 'menuUpdates') jobs.push({ kind: 'menu', at: menuEventPosition(entry) });
    return jobs;
  }

  /** A logout or role change ends the subscriptions of the tokens it revokes, within the check interval. */
  private async checkRevocations(): Promise<void> {
    for (const subscriber of this.all) {
      const claims = subscriber.claims;
      if (!claims) continue;
      try {
        const revoked = await this.options.revocations.isRevoked({ sessionId: claims.viewer.sessionId, userId: claims.viewer.userId, issuedAtMs: claims.issuedAtMs });
        if (revoked) subscriber.fail('UNAUTHENTICATED', 'Session has been signed out: sign in and subscribe again');
      } catch (error) {
        // Redis unreachable: the next event's query fails closed in the subgraphs; keep the stream.
        this.logger.debug({ err: error }, 'revocation check for a subscription failed');
      }
    }
  }

  /** Ends every subscription (the gateway is shutting down) and stops listening. */
  close(): void {
    clearInterval(this.revocationTimer);
    this.stopListening();
    for (const subscriber of [...this.all]) subscriber.stream.end();
  }
}
