/**
 * `npm run bench:relay`: how far the live-events relay (live-events-relay.ts) falls behind a big
 * tick. On a backlog of N due orders (backlog.ts), one tick (advanceDueOrders, as the worker
 * runs it) moves them all, two ways, each on its own copy of the backlog:
 * - following: the relay runs through the tick; the figure is the lag from the tick's last
 *   commit to the relay's last stream entry of its moves;
 * - catching up: the relay is stopped once it has its cursor, the tick runs, then a relay starts
 *   again (a worker restarted during a big tick); the figure is the time from that start to the
 *   last entry, i.e. how long N committed moves take to publish.
 *
 * Sizes: BENCH_RELAY_SIZES=100000,1000000 (default). Uses the machine's PostgreSQL
 * (BENCH_DATABASE_ADMIN_URL) and Redis (TEST_REDIS_URL) under scratch databases and prefixes,
 * all removed at the end. Not a test.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createTestRedis, testLogger, type TestRedis } from '@dishpatch/shared/testing';
import { createOrdersDataSource } from '@dishpatch/orders-core/data-source';
import { advanceDueOrders } from '@dishpatch/orders-core/kitchen-clock';
import { LiveEventsRelay, liveEventsCursorKey } from '@dishpatch/orders-core/live-events';
import { BENCH_DATABASE_TIMEOUTS, copyDatabase, createBacklogDatabase, databaseUrl, dropDatabase } from './backlog.js';

const STAGE_SECONDS = 30;
const SIZES = (process.env['BENCH_RELAY_SIZES'] ?? '100000,1000000').split(',').map((size) => Number(size.trim()));
/** Give up on a relay that has not published every move this long after the tick. */
const CATCH_UP_LIMIT_MS = 30 * 60_000;

interface RelayRun {
  tickSeconds: number;
  /** Following: tick commit -> last entry. Catching up: relay start -> last entry. */
  seconds: number;
  entries: number;
}

/** A relay on `url` that counts what it publishes; `ready` resolves once it is active with a cursor. */
function startRelay(url: string, redis: Redis, testRedis: TestRedis) {
  const published = { events: 0, entries: 0, lastEntryAt: 0 };
  const relay = new LiveEventsRelay({
    databaseUrl: url,
    redis,
    prefix: testRedis.prefix,
    logger: testLogger,
    onPublished: ({ orderEvents }) => {
      published.events += orderEvents;
      published.entries += 1;
      published.lastEntryAt = performance.now();
    },
  });
  relay.start();
  const ready = (async () => {
    while (!relay.active || (await redis.exists(liveEventsCursorKey(testRedis.prefix))) === 0) await sleep(50);
  })();
  return { relay, published, ready };
}

async function tick(url: string): Promise<{ moved: number; started: number; ended: number }> {
  const dataSource = createOrdersDataSource({ url, poolSize: 2, timeouts: BENCH_DATABASE_TIMEOUTS });
  await dataSource.initialize();
  try {
    const started = performance.now();
    const { moved } = await advanceDueOrders(dataSource, { stageSeconds: STAGE_SECONDS });
    return { moved, started, ended: performance.now() };
  } finally {
    await dataSource.destroy();
  }
}

async function allPublished(published: { events: number }, moved: number): Promise<void> {
  const deadline = performance.now() + CATCH_UP_LIMIT_MS;
  while (published.events < moved && performance.now() < deadline) await sleep(20);
  if (published.events !== moved) throw new Error(`the relay published ${published.events} of ${moved} events`);
}

async function measure(template: string, mode: 'following' | 'catching up'): Promise<RelayRun> {
  const copy = `${template}_copy`;
  const testRedis = createTestRedis('bench-relay');
  const redis = new Redis(testRedis.url);
  const relays: LiveEventsRelay[] = [];
  try {
    await copyDatabase(template, copy);
    const url = databaseUrl(copy);
    const first = startRelay(url, redis, testRedis);
    relays.push(first.relay);
    await first.ready;
    if (mode === 'following') {
      const { moved, started, ended } = await tick(url);
      await allPublished(first.published, moved);
      return { tickSeconds: (ended - started) / 1000, seconds: Math.max(0, first.published.lastEntryAt - ended) / 1000, entries: first.published.entries };
    }
    await first.relay.close();
    const { moved, started, ended } = await tick(url);
    const restartedAt = performance.now();
    const second = startRelay(url, redis, testRedis);
    relays.push(second.relay);
    await allPublished(second.published, moved);
    return { tickSeconds: (ended - started) / 1000, seconds: (second.published.lastEntryAt - restartedAt) / 1000, entries: second.published.entries };
  } finally {
    for (const relay of relays) await relay.close();
    redis.disconnect();
    await testRedis.cleanup();
    await dropDatabase(copy);
  }
}

const table = [['N moved', 'relay', 'tick (s)', 'to the last entry (s)', 'stream entries']];
for (const size of SIZES) {
  const template = `dishpatch_bench_relay_${randomBytes(3).toString('hex')}`;
  try {
    console.error(`N=${size.toLocaleString('en-US')}: filling the backlog`);
    await createBacklogDatabase(template, size, STAGE_SECONDS);
    for (const mode of ['following', 'catching up'] as const) {
      const run = await measure(template, mode);
      const row = [size.toLocaleString('en-US'), mode === 'following' ? 'following: tick commit -> last entry' : 'catching up: relay start -> last entry', run.tickSeconds.toFixed(2), run.seconds.toFixed(2), run.entries.toLocaleString('en-US')];
      console.error(`  ${row.join(' | ')}`);
      table.push(row);
    }
  } finally {
    await dropDatabase(template);
  }
}
const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
for (const row of table) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
