import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createTestRedis, waitFor, type TestRedis } from '@dishpatch/shared/testing';
import { countByStatus, createOrdersTestDatabase, historyProblems, insertOrders, type OrdersTestDatabase } from '@dishpatch/orders-core/testing';

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
function spawnWorker(db: OrdersTestDatabase, redis: TestRedis): RunningWorker {
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
});
