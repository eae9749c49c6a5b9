import { Queue, Worker } from 'bullmq';
import type { DataSource } from 'typeorm';
import { HttpService, healthRoutes } from '@dishpatch/shared/http';
import { Closer, settlesWithin } from '@dishpatch/shared/lifecycle';
import type { Logger } from '@dishpatch/shared/observability';
import { RedisConnections } from '@dishpatch/shared/redis';
import { createOrdersDataSource } from '@dishpatch/orders-core/data-source';
import { LiveEventsRelay } from '@dishpatch/orders-core/live-events';
import { bullPrefixOf, type WorkerConfig } from './config.js';
import { KITCHEN_CLOCK_SCHEDULER_ID, KITCHEN_QUEUE, TICK_JOB_NAME, runKitchenTick, type TickSummary } from './kitchen-clock.js';
import { WorkerMetrics } from './worker-metrics.js';

/** Finished ticks kept in Redis for inspection; older ones are dropped so the queue never grows. */
const KEPT_FINISHED_TICKS = 100;
/** How long one of the live-events relay's Redis commands (an XADD of a batch) may take. */
const LIVE_EVENTS_COMMAND_TIMEOUT_MS = 2000;
/** How long closing may wait on Redis (to record the last tick, to quit) before going on without it. */
const WORKER_CLOSE_TIMEOUT_MS = 5000;

export interface WorkerApp {
  readonly metrics: WorkerMetrics;
  readonly queue: Queue;
  /** Serves /health, /ready, /metrics; resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /** Whether this process's live-events relay is the one publishing. */
  readonly liveEventsActive: boolean;
  /** Upserts the kitchen clock's scheduler, starts taking ticks (one at a time) and starts the live-events relay. */
  start(): Promise<void>;
  /** Stops in reverse order: HTTP, worker (after its current tick), queue, relay, Redis, database. Safe twice. */
  close(): Promise<void>;
}

/**
 * Builds the worker process: BullMQ queue + worker on one Redis connection, the orders
 * database, the live-events relay, and the health server. It never runs migrations (the orders
 * subgraph owns them) and connects to the database lazily, so a database that is down or not yet
 * migrated fails ticks (and keeps the relay retrying), not the process.
 */
export function createWorkerApp(config: WorkerConfig, logger: Logger): WorkerApp {
  const closer = new Closer(logger);
  const metrics = new WorkerMetrics();
  const prefix = bullPrefixOf(config.REDIS_PREFIX);

  // Three connections: a tick's batches, the snapshot that holds back cleanup while a tick of
  // several batches runs (orders-core/src/orders/advance-due-orders.ts), and /ready's check,
  // which must not wait behind a batch.
  const dataSource = createOrdersDataSource({ url: config.ORDERS_DATABASE_URL, poolSize: 3, timeouts: config.databaseTimeouts });
  let connecting: Promise<DataSource> | undefined;
  const connectDatabase = (): Promise<DataSource> => {
    if (dataSource.isInitialized) return Promise.resolve(dataSource);
    connecting ??= dataSource.initialize().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };
  closer.add('database', async () => {
    // A failed connection attempt has already failed (and been logged by) the tick that made it.
    await connecting?.catch(() => undefined);
    if (dataSource.isInitialized) await dataSource.destroy();
  });

  // BullMQ workers block on Redis and must never give up on a command: maxRetriesPerRequest null.
  // Closing the connections closes the blocking one BullMQ duplicates from this one too, even
  // when the worker's own close could not finish because Redis went away meanwhile.
  const redisConnections = new RedisConnections(config.REDIS_URL, logger);
  closer.add('redis', () => redisConnections.close());
  const redis = redisConnections.open('bullmq', { maxRetriesPerRequest: null });

  // Every worker runs a relay; one holds the lock and publishes, the others stand by
  // (orders-core/src/live-events/live-events-relay.ts). It has its own database connection and
  // a Redis connection of its own, so BullMQ's blocking commands never delay an event. Its
  // commands have a deadline: a round never waits on a Redis that is gone (it fails, publishes
  // nothing and is tried again), so closing never leaves the relay's database connection behind.
  const liveEvents = new LiveEventsRelay({
    databaseUrl: config.ORDERS_DATABASE_URL,
    redis: redisConnections.open('live-events', { commandTimeout: LIVE_EVENTS_COMMAND_TIMEOUT_MS }),
    prefix: config.REDIS_PREFIX,
    logger,
    pollMs: config.LIVE_EVENTS_POLL_MS,
    batchSize: config.LIVE_EVENTS_BATCH_SIZE,
    retentionSeconds: config.LIVE_EVENTS_RETENTION_SECONDS,
    onPublished: ({ orderEvents, menuChanges }) => {
      metrics.liveEventEntries.inc();
      if (orderEvents > 0) metrics.liveEventsPublished.inc({ kind: 'order' }, orderEvents);
      if (menuChanges > 0) metrics.liveEventsPublished.inc({ kind: 'menu' }, menuChanges);
    },
  });
  closer.add('live events relay', () => liveEvents.close());

  const queue = new Queue(KITCHEN_QUEUE, { connection: redis, prefix });
  queue.on('error', (error) => logger.warn({ err: error }, 'queue error'));
  closer.add('queue', () => queue.close());

  let tickUnderWay: Promise<TickSummary> | undefined;
  const worker = new Worker<unknown, TickSummary>(
    KITCHEN_QUEUE,
    (job) => {
      tickUnderWay = runKitchenTick({
        connectDatabase,
        options: { stageSeconds: config.ORDER_STAGE_SECONDS, batchSize: config.ORDER_BATCH_SIZE },
        logger,
        metrics,
        ...(job.id ? { jobId: job.id } : {}),
      });
      return tickUnderWay;
    },
    { connection: redis, prefix, concurrency: 1, autorun: false },
  );
  // Without a listener an 'error' event (e.g. Redis gone) would crash the process.
  worker.on('error', (error) => logger.warn({ err: error }, 'worker error'));
  closer.add('worker', async () => {
    // A graceful close stops taking ticks at once, lets the one under way finish (database
    // work), records it and quits, which needs Redis; with Redis already down it is forced
    // instead. An unrecorded tick is delivered again after BullMQ's stall check, which is
    // harmless since ticks are idempotent.
    const closed = worker.close(redis.status !== 'ready');
    // A failed tick has already been logged and counted by runKitchenTick.
    await tickUnderWay?.catch(() => undefined);
    if (await settlesWithin(closed, WORKER_CLOSE_TIMEOUT_MS)) return;
    // Redis went away during the close: BullMQ's commands wait for it forever, and until its
    // close finishes its lock-extender and stall-check timers keep the process alive. Dropping
    // the connections fails those commands at once, so the close can finish.
    logger.warn({ redisStatus: redis.status }, 'worker did not close through Redis in time; dropping the Redis connections');
    await redisConnections.close();
    if (!(await settlesWithin(closed, WORKER_CLOSE_TIMEOUT_MS))) logger.error('worker close did not finish after its Redis connections were dropped');
  });

  let running = false;
  const upsertScheduler = () =>
    queue.upsertJobScheduler(
      KITCHEN_CLOCK_SCHEDULER_ID,
      { every: config.ORDER_TICK_MS },
      { name: TICK_JOB_NAME, data: {}, opts: { removeOnComplete: KEPT_FINISHED_TICKS, removeOnFail: KEPT_FINISHED_TICKS } },
    );
  // A Redis that restarted without its data has lost the scheduler; upserting is idempotent,
  // so every worker re-upserts on each reconnect and the clock keeps ticking.
  redis.on('ready', () => {
    if (!running) return;
    upsertScheduler().then(
      () => logger.info({ everyMs: config.ORDER_TICK_MS }, 'kitchen clock scheduler re-upserted after reconnect'),
      (error: unknown) => logger.error({ err: error }, 'kitchen clock scheduler upsert failed'),
    );
  });

  // The worker serves no GraphQL: only /health, /ready and /metrics.
  const health = new HttpService({
    logger,
    metrics,
    routes: healthRoutes({
      checks: {
        database: () => connectDatabase().then((connected) => connected.query('SELECT 1')),
        redis: () => redis.ping(),
      },
      metrics,
      logger,
    }),
  });
  closer.add('http server', () => health.close());

  return {
    metrics,
    queue,
    get liveEventsActive() {
      return liveEvents.active;
    },
    listen: (port, host) => health.listen(port, host),
    async start() {
      await upsertScheduler();
      running = true;
      liveEvents.start();
      worker.run().catch((error: unknown) => logger.error({ err: error }, 'worker stopped'));
      logger.info(
        { everyMs: config.ORDER_TICK_MS, stageSeconds: config.ORDER_STAGE_SECONDS, batchSize: config.ORDER_BATCH_SIZE, prefix },
        'kitchen clock started',
      );
    },
    close: () => closer.close(),
  };
}
