import { commonConfigShape, env, loadConfig } from '@dishpatch/shared/config';
import { DEFAULT_ADVANCE_BATCH_SIZE } from '@dishpatch/orders-core/kitchen-clock';
import {
  DEFAULT_LIVE_EVENTS_BATCH_SIZE,
  DEFAULT_LIVE_EVENTS_POLL_MS,
  DEFAULT_LIVE_EVENTS_RETENTION_SECONDS,
  MIN_LIVE_EVENTS_RETENTION_SECONDS,
} from '@dishpatch/orders-core/live-events';
import { databaseTimeoutsConfigShapeWith, databaseTimeoutsFrom } from '@dishpatch/shared/database';

/**
 * The worker's own, larger database deadlines: no client waits on a tick, and one batch
 * (ORDER_BATCH_SIZE orders in one set-based statement) may legitimately take longer than a
 * request's 5 s on a loaded database; 30 s still ends a statement stuck behind a silent network
 * well before BullMQ's job lock (30 s, renewed) would let another worker take the tick, and a
 * tick run twice moves nothing twice.
 */
export const WORKER_DATABASE_TIMEOUTS = { connectTimeoutMs: 5000, statementTimeoutMs: 30_000, idleInTransactionTimeoutMs: 10_000 };

/** The worker's environment: one schema, parsed once at start; a bad value names its variable. */
export const workerConfigShape = {
  ...commonConfigShape,
  ORDERS_DATABASE_URL: env.url('postgres://postgres:postgres@127.0.0.1:54329/dishpatch_orders', ['postgres:', 'postgresql:']),
  /** How often the kitchen clock ticks, whatever the number of worker processes. */
  ORDER_TICK_MS: env.intInRange(10_000, 100, 24 * 60 * 60 * 1000),
  /** Least time an order spends in WAITING and in IN_PROGRESS before a tick moves it on. */
  ORDER_STAGE_SECONDS: env.intInRange(30, 1, 24 * 60 * 60),
  /** Most orders one batch (one statement, one short transaction) moves. */
  ORDER_BATCH_SIZE: env.intInRange(DEFAULT_ADVANCE_BATCH_SIZE, 1, 100_000),
  /** Longest wait of the live-events relay between two looks at the tables (it also wakes on NOTIFY). */
  LIVE_EVENTS_POLL_MS: env.intInRange(DEFAULT_LIVE_EVENTS_POLL_MS, 10, 60_000),
  /** Most events (history and menu rows) one stream entry carries. */
  LIVE_EVENTS_BATCH_SIZE: env.intInRange(DEFAULT_LIVE_EVENTS_BATCH_SIZE, 1, 10_000),
  /** Stream entries are kept at least this long (an SSE client resumes within 5 minutes). */
  LIVE_EVENTS_RETENTION_SECONDS: env.intInRange(DEFAULT_LIVE_EVENTS_RETENTION_SECONDS, MIN_LIVE_EVENTS_RETENTION_SECONDS, 7 * 24 * 60 * 60),
  /** Port of /health, /ready and /metrics. */
  WORKER_PORT: env.port(4003),
  ...databaseTimeoutsConfigShapeWith(WORKER_DATABASE_TIMEOUTS),
};

export type WorkerConfig = ReturnType<typeof loadWorkerConfig>;

export function loadWorkerConfig(environment: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(workerConfigShape, environment);
  return { ...config, databaseTimeouts: databaseTimeoutsFrom(config) };
}

/**
 * BullMQ joins its prefix to the queue name with ':', so `dishpatch:` becomes `dishpatch`
 * and every queue key still starts with REDIS_PREFIX.
 */
export function bullPrefixOf(redisPrefix: string): string {
  return redisPrefix.replace(/:+$/, '') || 'bull';
}
