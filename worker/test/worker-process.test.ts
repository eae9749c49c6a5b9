import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createTestRedis, waitFor, type TestRedis } from '@dishpatch/shared/testing';
import { DishService } from '@dishpatch/orders-core/dishes';
import { liveEventsStreamKey, parseLiveEventBatch } from '@dishpatch/orders-core/live-events';
import { MoneyInput } from '@dishpatch/orders-core/money';
import { OrderService } from '@dishpatch/orders-core/orders';
import { countByStatus, createOrdersTestDatabase, historyProblems, insertOrders, ORDER_HISTORY_ROWS, type OrdersTestDatabase } from '@dishpatch/orders-core/testing';

const WORKER_DIRECTORY = fileURLToPath(new URL('..', import.meta.url));
const STAGE_SECONDS = 30;
const DUE = STAGE_SECONDS * 4;
/** Big enough, in small batches, that a tick takes many statements and can be caught midway. */
const BACKLOG = 60_000;
const BATCH_SIZE = 150;

interface RunningWorker {
  child: ChildProcess;
  output: () => string;
}

/** The real worker process, as `npm start -w worker` runs it (without npm in between, so the PID is the worker's). */
function spawnWorker(db: OrdersTestDatabase, redis: TestRedis, extraEnv: Record<string, string> = {}): RunningWorker {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/index.ts'], {
    cwd: WORKER_DIRECTORY,
    env: {
      ...process.env,
      ORDERS_DATABASE_URL: db.database.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      ORDER_TICK_MS: '500',
      ORDER_STAGE_SECONDS: String(STAGE_SECONDS),
      ORDER_BATCH_SIZE: String(BATCH_SIZE),
      WORKER_PORT: '0',
      LOG_LEVEL: 'info',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function stop(worker: RunningWorker): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill('SIGKILL');
  await once(worker.child, 'exit');
}

interface Progress {
  moved: number;
  due: number;
}

/** Orders moved since `since`, and orders still due. */
async function progress(db: OrdersTestDatabase, since: Date): Promise<Progress> {
  const [row] = (await db.dataSource.query(
    `SELECT count(*) FILTER (WHERE status_changed_at >= $1)::int AS moved,
            count(*) FILTER (WHERE status IN ('WAITING', 'IN_PROGRESS') AND status_changed_at < now() - make_interval(secs => $2))::int AS due
     FROM orders`,
    [since, STAGE_SECONDS],
  )) as [Progress];
  return row;
}

/** Waits until a tick is under way: some orders moved, some still due. */
function midTick(db: OrdersTestDatabase, since: Date): Promise<Progress> {
  return waitFor('a tick under way', async () => {
    const now = await progress(db, since);
    return now.moved > 0 && now.due > 0 ? now : undefined;
  }, 60_000);
}

describe('worker process', () => {
  let db: OrdersTestDatabase;
  let redis: TestRedis;
  let waiting: string[];
  let inProgress: string[];
  const started: RunningWorker[] = [];

  before(async () => {
    redis = createTestRedis('worker_process');
  });
  after(async () => {
    for (const worker of started) await stop(worker);
    await redis.cleanup();
  });

  async function freshBacklog(label: string): Promise<Date> {
    if (db) await db.drop();
    db = await createOrdersTestDatabase(label);
    waiting = await insertOrders(db.dataSource, { count: BACKLOG / 2, status: 'WAITING', ageSeconds: DUE });
    inProgress = await insertOrders(db.dataSource, { count: BACKLOG / 2, status: 'IN_PROGRESS', ageSeconds: DUE });
    await db.dataSource.query('ANALYZE orders');
    const [{ now }] = (await db.dataSource.query('SELECT now() AS now')) as [{ now: Date }];
    return now;
  }

  after(async () => {
    await db?.drop();
  });

  it('killed with SIGKILL mid-tick: after a restart no order is skipped, moved twice, or without its history', async () => {
    const since = await freshBacklog('worker_sigkill');
    const first = spawnWorker(db, redis);
    started.push(first);
    const atKill = await midTick(db, since);
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');

    // What the killed tick committed is whole: every moved order has its history row.
    assert.deepEqual(await historyProblems(db.dataSource), []);
    const afterKill = await progress(db, since);
    assert.ok(afterKill.due > 0, `the kill came mid-tick (${JSON.stringify(atKill)} -> ${JSON.stringify(afterKill)})`);

    const second = spawnWorker(db, redis);
    started.push(second);
    await waitFor('the backlog to be worked off', async () => ((await progress(db, since)).due === 0 ? true : undefined), 60_000);

    // Every due order moved exactly one stage: none skipped, none twice (stage time is 30 s).
    assert.deepEqual(await countByStatus(db.dataSource, waiting), { IN_PROGRESS: BACKLOG / 2 });
    assert.deepEqual(await countByStatus(db.dataSource, inProgress), { DONE: BACKLOG / 2 });
    assert.deepEqual(await historyProblems(db.dataSource), []);
    await stop(second);
  });

  it('on SIGTERM finishes the current tick, then exits cleanly', async () => {
    const since = await freshBacklog('worker_sigterm');
    await redis.cleanup();
    const worker = spawnWorker(db, redis);
    started.push(worker);
    await midTick(db, since);
    worker.child.kill('SIGTERM');
    const [code] = (await once(worker.child, 'exit')) as [number | null];

    assert.equal(code, 0, worker.output());
    assert.deepEqual(await progress(db, since), { moved: BACKLOG, due: 0 }, 'the tick under way when SIGTERM came was finished');
    assert.deepEqual(await countByStatus(db.dataSource, waiting), { IN_PROGRESS: BACKLOG / 2 });
    assert.deepEqual(await countByStatus(db.dataSource, inProgress), { DONE: BACKLOG / 2 });
    assert.deepEqual(await historyProblems(db.dataSource), []);
    const log = worker.output();
    assert.ok(log.indexOf('"kitchen tick done"', log.indexOf('"shutting down"')) > 0, 'the tick ended after the signal, then the process exited');
  });

  it('killed with SIGKILL right after commits: the next worker publishes every history row to the live stream, once', async () => {
    if (db) await db.drop();
    db = await createOrdersTestDatabase('worker_live_events');
    await redis.cleanup();
    const liveEnv = { LIVE_EVENTS_POLL_MS: '100', LIVE_EVENTS_BATCH_SIZE: '500' };
    const client = new Redis(redis.url);
    try {
      const first = spawnWorker(db, redis, liveEnv);
      started.push(first);
      await waitFor('the relay to start', async () => ((await client.exists(`${redis.prefix}live:events:cursor`)) === 1 ? true : undefined), 60_000);

      // From here on every commit is news: a due backlog for the tick, and customers placing orders.
      const since = new Date();
      await insertOrders(db.dataSource, { count: 20_000, status: 'WAITING', ageSeconds: DUE });
      const dishes = new DishService(db.dataSource);
      const orders = new OrderService(db.dataSource);
      const dish = await dishes.create({ name: 'Soup', price: new MoneyInput('4.00'), quantity: 100_000 });
      let placing = true;
      let placed = 0;
      const customers = (async () => {
        while (placing) {
          await orders.place({ userId: randomUUID(), sessionId: randomUUID(), role: 'CUSTOMER' }, { items: [{ dishId: dish.id, quantity: 1 }] });
          placed += 1;
        }
      })();
      await midTick(db, since);
      first.child.kill('SIGKILL');
      await once(first.child, 'exit');
      const entriesAtKill = await client.xlen(liveEventsStreamKey(redis.prefix));

      const second = spawnWorker(db, redis, liveEnv);
      started.push(second);
      await waitFor('the backlog to be worked off', async () => ((await progress(db, since)).due === 0 ? true : undefined), 120_000);
      placing = false;
      await customers;

      // The second worker keeps ticking (placed orders move on after their stage time), so the
      // history is read first, then the stream must hold at least that, and never more than the
      // history read afterwards: each order's events are a prefix of its history, none twice.
      const historyNow = async () =>
        new Map(
          ((await db.dataSource.query(
            `SELECT order_id, array_agg(status ORDER BY at) AS statuses FROM ${ORDER_HISTORY_ROWS} h GROUP BY order_id`,
          )) as Array<{ order_id: string; statuses: string[] }>).map((row) => [row.order_id, row.statuses]),
        );
      const before = await historyNow();
      const rows = [...before.values()].reduce((sum, statuses) => sum + statuses.length, 0);
      let seen = 0;
      const entries = await waitFor(
        'the stream to hold every history row',
        async () => {
          const raw = await client.xrange(liveEventsStreamKey(redis.prefix), '-', '+');
          const parsed = raw.map(([, fields]) => parseLiveEventBatch(fields[1]!));
          seen = parsed.reduce((sum, batch) => sum + batch.orders.length, 0);
          return seen >= rows ? parsed : undefined;
        },
        60_000,
      ).catch(async (error: unknown) => {
        const cursor = await client.get(`${redis.prefix}live:events:cursor`);
        throw new Error(`${String(error)}: ${seen} of ${rows} events, cursor ${cursor}\n${second.output().slice(-3000)}`);
      });
      const after = await historyNow();
      const inStream = new Map<string, string[]>();
      for (const batch of entries) for (const event of batch.orders) inStream.set(event.orderId, [...(inStream.get(event.orderId) ?? []), event.status]);
      assert.equal(inStream.size, after.size);
      for (const [orderId, statuses] of after) {
        const published = inStream.get(orderId) ?? [];
        assert.deepEqual(published, statuses.slice(0, published.length), `order ${orderId}: events in history order, none twice`);
        assert.ok(published.length >= before.get(orderId)!.length, `order ${orderId}: every committed change published`);
      }
      const events = entries.reduce((sum, batch) => sum + batch.orders.length, 0);
      console.log(
        `worker kill -9 mid-tick: ${rows} moves in the histories (${placed} orders placed meanwhile) = ${events} events in ${entries.length} entries, ` +
          `${entriesAtKill} of them before the kill; none lost, none twice`,
      );
      await stop(second);
    } finally {
      client.disconnect();
    }
  });
});
