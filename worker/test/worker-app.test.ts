import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, afterEach, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createOrdersDataSource } from '@dishpatch/orders-core/data-source';
import { activeResources, createTestDatabase, createTestRedis, CuttableProxy, resourcesLeftSince, testLogger, TEST_ADMIN_DATABASE_URL, TEST_REDIS_URL, waitFor, type TestRedis } from '@dishpatch/shared/testing';
import { createWorkerApp, type WorkerApp } from '../src/app.js';
import { bullPrefixOf, loadWorkerConfig } from '../src/config.js';
import { KITCHEN_CLOCK_SCHEDULER_ID, KITCHEN_QUEUE } from '../src/kitchen-clock.js';
import { countByStatus, createOrdersTestDatabase, historyProblems, insertOrders } from '@dishpatch/orders-core/testing';
import { freePort } from './support.js';

const TICK_MS = 200;
const STAGE_SECONDS = 30;
const DUE = STAGE_SECONDS * 4;

function workerConfig(overrides: { databaseUrl: string; redis: TestRedis; redisUrl?: string }) {
  return loadWorkerConfig({
    ORDERS_DATABASE_URL: overrides.databaseUrl,
    REDIS_URL: overrides.redisUrl ?? overrides.redis.url,
    REDIS_PREFIX: overrides.redis.prefix,
    ORDER_TICK_MS: String(TICK_MS),
    ORDER_STAGE_SECONDS: String(STAGE_SECONDS),
    WORKER_PORT: '0',
    LOG_LEVEL: 'silent',
  });
}

async function counterValue(metric: { get(): Promise<{ values: Array<{ value: number; metricName?: string }> }> }, suffix = ''): Promise<number> {
  const { values } = await metric.get();
  return values.filter((value) => (value.metricName ?? '').endsWith(suffix)).reduce((sum, value) => sum + value.value, 0);
}

describe('worker app', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  const defer = (cleanup: () => Promise<unknown>) => cleanups.unshift(cleanup);
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  after(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function startApp(config: ReturnType<typeof workerConfig>): Promise<{ app: WorkerApp; url: string }> {
    const app = createWorkerApp(config, testLogger);
    defer(() => app.close());
    const port = await app.listen(0, '127.0.0.1');
    await app.start();
    return { app, url: `http://127.0.0.1:${port}` };
  }

  it('ticks on its schedule, moves due orders one stage, and reports it on /metrics', async () => {
    const db = await createOrdersTestDatabase('worker_app');
    defer(() => db.drop());
    const redis = createTestRedis('worker_app');
    defer(() => redis.cleanup());
    const waiting = await insertOrders(db.dataSource, { count: 6, status: 'WAITING', ageSeconds: DUE });
    const inProgress = await insertOrders(db.dataSource, { count: 4, status: 'IN_PROGRESS', ageSeconds: DUE });

    const { app, url } = await startApp(workerConfig({ databaseUrl: db.database.url, redis }));
    await waitFor('the due orders to move', async () => ((await countByStatus(db.dataSource, inProgress))['DONE'] === 4 ? true : undefined));

    assert.deepEqual(await countByStatus(db.dataSource, waiting), { IN_PROGRESS: 6 });
    assert.deepEqual(await historyProblems(db.dataSource), []);
    assert.equal((await fetch(`${url}/health`)).status, 200);
    const ready = await fetch(`${url}/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', checks: { database: 'ok', redis: 'ok' } });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /worker_orders_moved_total\{from="WAITING",to="IN_PROGRESS",service="worker"\} 6/);
    assert.match(metrics, /worker_orders_moved_total\{from="IN_PROGRESS",to="DONE",service="worker"\} 4/);
    assert.match(metrics, /worker_tick_duration_seconds_count\{service="worker"\} [1-9]/);
    assert.equal(await counterValue(app.metrics.ticksFailed), 0);
    // Its keys live under REDIS_PREFIX.
    const client = new Redis(redis.url);
    defer(async () => client.disconnect());
    const keys = await client.keys(`${redis.prefix}*`);
    assert.ok(keys.some((key) => key.startsWith(`${bullPrefixOf(redis.prefix)}:${KITCHEN_QUEUE}:`)), keys.join(', '));
  });

  it('ticks once per interval however many workers run: one scheduler, each slot processed once', async () => {
    const db = await createOrdersTestDatabase('worker_two');
    defer(() => db.drop());
    const redis = createTestRedis('worker_two');
    defer(() => redis.cleanup());
    const config = workerConfig({ databaseUrl: db.database.url, redis });
    const queue = new Queue(KITCHEN_QUEUE, { connection: { url: redis.url }, prefix: bullPrefixOf(redis.prefix) });
    defer(() => queue.close());

    const first = await startApp(config);
    const second = await startApp(config);
    await waitFor('eight ticks', async () => ((await queue.getCompletedCount()) >= 8 ? true : undefined));
    await first.app.close();
    await second.app.close();

    const completed = await queue.getCompleted(0, -1);
    const slots = completed.map((job) => {
      const match = /^repeat:kitchen-clock:(\d+)$/.exec(job.id ?? '');
      assert.ok(match, `a tick job comes from the one scheduler: ${job.id}`);
      return Number(match[1]);
    });
    assert.equal(new Set(slots).size, slots.length, 'no interval slot ran twice');
    assert.equal(await queue.getJobSchedulersCount(), 1);
    assert.equal((await queue.getJobScheduler(KITCHEN_CLOCK_SCHEDULER_ID))?.every, TICK_MS);
    const ticksRun = (await counterValue(first.app.metrics.tickSeconds, '_count')) + (await counterValue(second.app.metrics.tickSeconds, '_count'));
    assert.equal(ticksRun, completed.length, 'each tick job ran in one worker only');
  });

  it('fails ticks while the tables are missing, without crashing, and works once they are migrated', async () => {
    const database = await createTestDatabase('worker_unmigrated');
    defer(() => database.drop());
    const redis = createTestRedis('worker_unmigrated');
    defer(() => redis.cleanup());

    const { app } = await startApp(workerConfig({ databaseUrl: database.url, redis }));
    await waitFor('a failed tick', async () => ((await counterValue(app.metrics.ticksFailed)) >= 2 ? true : undefined));

    const dataSource = createOrdersDataSource({ url: database.url });
    await dataSource.initialize();
    defer(() => dataSource.destroy());
    await dataSource.runMigrations();
    const waiting = await insertOrders(dataSource, { count: 3, status: 'WAITING', ageSeconds: DUE });
    await waitFor('the orders to move after migrating', async () => ((await countByStatus(dataSource, waiting))['IN_PROGRESS'] === 3 ? true : undefined));
  });

  it('fails ticks while PostgreSQL is unreachable and resumes when it is back', async () => {
    const db = await createOrdersTestDatabase('worker_pg_cut');
    defer(() => db.drop());
    const redis = createTestRedis('worker_pg_cut');
    defer(() => redis.cleanup());
    const target = new URL(TEST_ADMIN_DATABASE_URL);
    const proxy = await new CuttableProxy({ host: target.hostname, port: Number(target.port || 5432) }).start();
    defer(() => proxy.stop());
    const viaProxy = new URL(db.database.url);
    viaProxy.port = String(proxy.port);

    const { app, url } = await startApp(workerConfig({ databaseUrl: viaProxy.toString(), redis }));
    const before = await insertOrders(db.dataSource, { count: 3, status: 'WAITING', ageSeconds: DUE });
    await waitFor('the first orders to move', async () => ((await countByStatus(db.dataSource, before))['IN_PROGRESS'] === 3 ? true : undefined));

    proxy.cut();
    const failedBefore = await counterValue(app.metrics.ticksFailed);
    const during = await insertOrders(db.dataSource, { count: 3, status: 'IN_PROGRESS', ageSeconds: DUE });
    await waitFor('two failed ticks', async () => ((await counterValue(app.metrics.ticksFailed)) >= failedBefore + 2 ? true : undefined));
    const ready = await fetch(`${url}/ready`);
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { status: 'unavailable', checks: { database: 'unavailable', redis: 'ok' } });
    assert.deepEqual(await countByStatus(db.dataSource, during), { IN_PROGRESS: 3 });

    proxy.restore();
    await waitFor('the orders to move once PostgreSQL is back', async () => ((await countByStatus(db.dataSource, during))['DONE'] === 3 ? true : undefined));
    assert.equal((await fetch(`${url}/ready`)).status, 200);
    assert.deepEqual(await historyProblems(db.dataSource), []);
  });

  it('reconnects after Redis restarts (even one that lost its data) and ticks resume without a restart', async () => {
    const db = await createOrdersTestDatabase('worker_redis_restart');
    defer(() => db.drop());
    const port = await freePort();
    let redisServer: ChildProcess | undefined;
    const startRedis = async () => {
      const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      redisServer = server;
      defer(async () => {
        if (server.exitCode === null && server.signalCode === null) {
          server.kill('SIGKILL');
          await once(server, 'exit');
        }
      });
      let output = '';
      server.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await waitFor('redis-server to accept connections', () => (output.includes('Ready to accept connections') ? true : undefined));
    };
    await startRedis();
    const redis = createTestRedis('worker_redis_restart');

    const { app, url } = await startApp(workerConfig({ databaseUrl: db.database.url, redis, redisUrl: `redis://127.0.0.1:${port}` }));
    const before = await insertOrders(db.dataSource, { count: 3, status: 'WAITING', ageSeconds: DUE });
    await waitFor('the first orders to move', async () => ((await countByStatus(db.dataSource, before))['IN_PROGRESS'] === 3 ? true : undefined));

    redisServer!.kill('SIGTERM');
    await once(redisServer!, 'exit');
    const during = await insertOrders(db.dataSource, { count: 3, status: 'WAITING', ageSeconds: DUE });
    await startRedis();
    await waitFor('the orders to move after Redis restarted', async () => ((await countByStatus(db.dataSource, during))['IN_PROGRESS'] === 3 ? true : undefined), 30_000);
    assert.deepEqual(await historyProblems(db.dataSource), []);

    // And it still shuts down while Redis is gone, rather than waiting for it forever.
    redisServer!.kill('SIGKILL');
    await once(redisServer!, 'exit');
    await waitFor('the worker to see Redis gone', async () => ((await fetch(`${url}/ready`)).status === 503 ? true : undefined));
    let closed = false;
    const closing = app.close().then(() => (closed = true));
    await waitFor('close() to finish with Redis down', () => (closed ? true : undefined), 30_000);
    await closing;
  });

  describe('close() releases every connection and timer it made', () => {
    /**
     * The worker behind two cuttable proxies. `before` is taken while the test holds no
     * connection of its own; the test's `probe` must be closed before comparing with it.
     */
    async function startBehindProxies(label: string) {
      const db = await createOrdersTestDatabase(label);
      defer(() => db.drop());
      await db.dataSource.destroy();
      const redis = createTestRedis(label);
      defer(() => redis.cleanup());
      const redisTarget = new URL(TEST_REDIS_URL);
      const redisProxy = await new CuttableProxy({ host: redisTarget.hostname, port: Number(redisTarget.port || 6379) }).start();
      defer(() => redisProxy.stop());
      const pgTarget = new URL(TEST_ADMIN_DATABASE_URL);
      const pgProxy = await new CuttableProxy({ host: pgTarget.hostname, port: Number(pgTarget.port || 5432) }).start();
      defer(() => pgProxy.stop());
      const viaProxy = new URL(db.database.url);
      viaProxy.port = String(pgProxy.port);
      const before = activeResources();
      const app = createWorkerApp(
        workerConfig({ databaseUrl: viaProxy.toString(), redis, redisUrl: `redis://127.0.0.1:${redisProxy.port}` }),
        testLogger,
      );
      defer(() => app.close());
      const port = await app.listen(0, '127.0.0.1');
      await app.start();
      const probe = createOrdersDataSource({ url: db.database.url, poolSize: 2 });
      await probe.initialize();
      defer(async () => {
        if (probe.isInitialized) await probe.destroy();
      });
      return { probe, app, url: `http://127.0.0.1:${port}`, redisProxy, pgProxy, before };
    }

    it('with Redis down', async () => {
      const { probe, app, url, redisProxy, before } = await startBehindProxies('worker_close_redis_down');
      const waiting = await insertOrders(probe, { count: 2, status: 'WAITING', ageSeconds: DUE });
      await waitFor('a tick', async () => ((await countByStatus(probe, waiting))['IN_PROGRESS'] === 2 ? true : undefined));
      await probe.destroy();
      redisProxy.cut();
      await waitFor('the worker to see Redis gone', async () => ((await fetch(`${url}/ready`)).status === 503 ? true : undefined));
      await app.close();
      assert.deepEqual(await resourcesLeftSince(before), []);
    });

    it('with PostgreSQL down', async () => {
      const { probe, app, url, pgProxy, before } = await startBehindProxies('worker_close_pg_down');
      await probe.destroy();
      await waitFor('the worker to reach the database', async () => ((await fetch(`${url}/ready`)).status === 200 ? true : undefined));
      pgProxy.cut();
      await waitFor('the worker to see PostgreSQL gone', async () => ((await fetch(`${url}/ready`)).status === 503 ? true : undefined));
      await app.close();
      assert.deepEqual(await resourcesLeftSince(before), []);
    });

    it('with Redis lost while it waits for the tick under way (the CI hang: BullMQ timers and its blocking connection outlived close)', async () => {
      const { probe, app, redisProxy, before } = await startBehindProxies('worker_close_redis_lost');
      await insertOrders(probe, { count: 2, status: 'WAITING', ageSeconds: DUE });
      // Hold the orders table so that the next tick waits inside PostgreSQL, then close while it does.
      const holder = probe.createQueryRunner();
      await holder.connect();
      await holder.startTransaction();
      await holder.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
      // The live-events relay reads `orders` too and waits on the lock as well; only a tick's
      // wait is the case under test, so the relay's own connection (its application_name) is left out.
      await waitFor('a tick to wait for the lock', async () => {
        const [row] = (await probe.query(
          `SELECT count(*)::int AS n FROM pg_locks JOIN pg_stat_activity USING (pid)
            WHERE NOT granted AND relation = 'orders'::regclass AND application_name <> 'dishpatch live-events relay'`,
        )) as Array<{ n: number }>;
        return row!.n > 0 ? true : undefined;
      });
      const closing = app.close();
      redisProxy.cut();
      await holder.rollbackTransaction();
      await holder.release();
      await probe.destroy();
      await closing;
      assert.deepEqual(await resourcesLeftSince(before), []);
    });
  });
});
