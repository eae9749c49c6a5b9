import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createTestRedis, testLogger, waitFor, type TestRedis } from '@dishpatch/shared/testing';
import { DishService } from '@dishpatch/orders-core/dishes';
import { advanceDueOrders } from '@dishpatch/orders-core/kitchen-clock';
import {
  LiveEventsRelay,
  lastLiveEventId,
  liveEventsStreamKey,
  oldestLiveEventId,
  parseLiveEventBatch,
  readLiveEvents,
  type LiveEventEntry,
  type LiveEventsRelayOptions,
} from '@dishpatch/orders-core/live-events';
import { MoneyInput } from '@dishpatch/orders-core/money';
import { ACTIVE_STATUSES, OrderService, advanceOneStage, cancelIfIn, recordCreation } from '@dishpatch/orders-core/orders';
import { createOrdersTestDatabase, insertOrders, ORDER_HISTORY_ROWS, type OrdersTestDatabase } from '@dishpatch/orders-core/testing';

const POLL_MS = 100;

/** One test's own database, Redis prefix and relays; `cleanup` undoes all of it. */
interface Fixture {
  db: OrdersTestDatabase;
  testRedis: TestRedis;
  redis: Redis;
  dishes: DishService;
  orders: OrderService;
  relays: LiveEventsRelay[];
  startRelay(options?: Partial<LiveEventsRelayOptions>): LiveEventsRelay;
}

let fixture: Fixture | undefined;

async function setUp(label: string): Promise<Fixture> {
  const db = await createOrdersTestDatabase(label, { poolSize: 20 });
  const testRedis = createTestRedis(label);
  const redis = new Redis(testRedis.url);
  const relays: LiveEventsRelay[] = [];
  fixture = {
    db,
    testRedis,
    redis,
    dishes: new DishService(db.dataSource),
    orders: new OrderService(db.dataSource),
    relays,
    startRelay(options = {}) {
      const relay = new LiveEventsRelay({
        databaseUrl: db.database.url,
        redis,
        prefix: testRedis.prefix,
        logger: testLogger,
        pollMs: POLL_MS,
        standbyRetryMs: 100,
        ...options,
      });
      relays.push(relay);
      relay.start();
      return relay;
    },
  };
  return fixture;
}

afterEach(async () => {
  if (!fixture) return;
  const { db, testRedis, redis, relays } = fixture;
  fixture = undefined;
  for (const relay of relays) await relay.close();
  redis.disconnect();
  await testRedis.cleanup();
  await db.drop();
});

/** Waits until a relay is active and has fixed its starting point: what commits from now on is news. */
async function relayReady(f: Fixture): Promise<void> {
  await waitFor('an active relay with a cursor', async () =>
    f.relays.some((relay) => relay.active) && (await f.redis.exists(`${f.testRedis.prefix}live:events:cursor`)) === 1 ? true : undefined,
  );
}

async function allEntries(f: Fixture): Promise<LiveEventEntry[]> {
  const raw = await f.redis.xrange(liveEventsStreamKey(f.testRedis.prefix), '-', '+');
  return raw.map(([id, fields]) => ({ id, batch: parseLiveEventBatch(fields[1]!) }));
}

interface HistoryRow {
  order_id: string;
  status: string;
}

/** Every status of every order's history (each one a move, so an event), per order in the order its moves happened. */
async function history(f: Fixture): Promise<HistoryRow[]> {
  return (await f.db.dataSource.query(`SELECT order_id, status FROM ${ORDER_HISTORY_ROWS} h ORDER BY order_id, at`)) as HistoryRow[];
}

/** Waits until the stream holds as many order events as the histories have statuses. */
async function caughtUp(f: Fixture, timeoutMs = 60_000): Promise<LiveEventEntry[]> {
  return waitFor(
    'the stream to catch up with the history',
    async () => {
      const [{ n }] = (await f.db.dataSource.query(`SELECT count(*)::int AS n FROM ${ORDER_HISTORY_ROWS} h`)) as [{ n: number }];
      const entries = await allEntries(f);
      const events = entries.reduce((sum, entry) => sum + entry.batch.orders.length, 0);
      return events >= n ? entries : undefined;
    },
    timeoutMs,
  );
}

/** The stream holds every history row exactly once, and each order's events in its history's order. */
async function assertStreamMatchesHistory(f: Fixture, entries: LiveEventEntry[]): Promise<number> {
  const perOrderInStream = new Map<string, string[]>();
  for (const entry of entries) {
    for (const event of entry.batch.orders) perOrderInStream.set(event.orderId, [...(perOrderInStream.get(event.orderId) ?? []), event.status]);
  }
  const perOrderInHistory = new Map<string, string[]>();
  const rows = await history(f);
  for (const row of rows) perOrderInHistory.set(row.order_id, [...(perOrderInHistory.get(row.order_id) ?? []), row.status]);
  assert.equal(perOrderInStream.size, perOrderInHistory.size, 'orders in the stream vs in the history');
  for (const [orderId, statuses] of perOrderInHistory) assert.deepEqual(perOrderInStream.get(orderId), statuses, `order ${orderId}`);
  return rows.length;
}

/** Resolves once a session of the test's database waits on a lock (a transition on a row another holds). */
async function lockWaiter(f: Fixture): Promise<void> {
  await waitFor('a move to wait on the row lock', async () => {
    const [{ n }] = (await f.db.dataSource.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    )) as [{ n: number }];
    return n > 0 ? true : undefined;
  });
}

function customer() {
  return { userId: randomUUID(), sessionId: randomUUID(), role: 'CUSTOMER' as const };
}

const staff = { userId: randomUUID(), sessionId: randomUUID(), role: 'CHEF' as const };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

describe('live events relay', () => {
  it('publishes every order and menu change once, each order in commit order, with who owns it', async () => {
    const f = await setUp('live_events_each_change');
    f.startRelay();
    await relayReady(f);

    const soup = await f.dishes.create({ name: 'Soup', price: new MoneyInput('5.00'), quantity: 10 });
    const bread = await f.dishes.create({ name: 'Bread', price: new MoneyInput('2.00'), quantity: 10 });
    await f.dishes.update(bread.id, { description: 'Sourdough' });
    const gone = await f.dishes.create({ name: 'Gone', price: new MoneyInput('1.00'), quantity: 1 });
    await f.dishes.delete(gone.id);
    const buyer = customer();
    const placed = [];
    for (let i = 0; i < 4; i += 1) placed.push(await f.orders.place(buyer, { items: [{ dishId: soup.id, quantity: 1 }] }));
    await f.orders.cancel(buyer, placed[0]!.id);
    await f.orders.advance(staff, placed[1]!.id);
    await f.orders.cancel(staff, placed[1]!.id);
    await advanceDueOrders(f.db.dataSource, { stageSeconds: 0 });

    const entries = await caughtUp(f);
    await assertStreamMatchesHistory(f, entries);
    const events = entries.flatMap((entry) => entry.batch.orders);
    assert.ok(events.every((event) => event.userId === buyer.userId));
    assert.ok(events.every((event) => !Number.isNaN(Date.parse(event.at))));
    // Every dish written (created, updated, deleted, stock taken and put back) is in a menu event.
    const changedDishes = new Set(entries.flatMap((entry) => entry.batch.dishIds));
    assert.deepEqual([...changedDishes].sort(), [soup.id, bread.id, gone.id].sort());
    assert.ok(entries.every((entry) => entry.batch.menu === entry.batch.dishIds.length > 0));
    // Published menu rows leave the outbox.
    await waitFor('the menu outbox to be emptied', async () =>
      ((await f.db.dataSource.query(`SELECT count(*)::int AS n FROM menu_changes`)) as [{ n: number }])[0].n === 0 ? true : undefined,
    );
  });

  it('gives each menu change its own entry when they commit apart, and one entry when they commit together', async () => {
    const f = await setUp('live_events_menu');
    const relay = f.startRelay();
    await relayReady(f);
    const dish = await f.dishes.create({ name: 'Soup', price: new MoneyInput('5.00'), quantity: 10 });
    await caughtUpMenu(f);
    for (const quantity of [9, 8, 7]) {
      const before = (await allEntries(f)).length;
      await f.dishes.update(dish.id, { quantity });
      await waitFor('a menu entry', async () => ((await allEntries(f)).length === before + 1 ? true : undefined));
    }
    const apart = await allEntries(f);
    assert.equal(apart.length, 4);
    assert.ok(apart.every((entry) => entry.batch.menu && entry.batch.dishIds[0] === dish.id && entry.batch.orders.length === 0));

    // With the relay stopped, three changes wait in the outbox; the next relay publishes them as one entry.
    await relay.close();
    for (const quantity of [6, 5, 4]) await f.dishes.update(dish.id, { quantity });
    f.startRelay();
    const together = await waitFor('the waiting changes', async () => {
      const entries = await allEntries(f);
      return entries.length > apart.length ? entries.slice(apart.length) : undefined;
    });
    await sleep(POLL_MS * 5);
    assert.equal((await allEntries(f)).length, apart.length + 1);
    assert.deepEqual(together.map((entry) => entry.batch), [{ orders: [], menu: true, dishIds: [dish.id] }]);
  });

  it('under concurrent orders, cancels, staff moves and ticks: every change once, each order in commit order', async () => {
    const f = await setUp('live_events_concurrency');
    const entryTimes = new Map<string, number>();
    f.startRelay({ batchSize: 200, onPublished: ({ id }) => entryTimes.set(id, Number(id.split('-')[0])) });
    await relayReady(f);
    const dishIds = await Promise.all(
      Array.from({ length: 5 }, async (_, i) => (await f.dishes.create({ name: `Dish ${i}`, price: new MoneyInput('3.00'), quantity: 100_000 })).id),
    );
    const buyers = Array.from({ length: 20 }, customer);
    const started = performance.now();
    let placing = true;
    const placedIds: string[] = [];
    const placers = Array.from({ length: 6 }, async (_, worker) => {
      for (let i = 0; i < 80; i += 1) {
        const buyer = buyers[(worker * 80 + i) % buyers.length]!;
        const items = [{ dishId: dishIds[i % dishIds.length]!, quantity: 1 }, { dishId: dishIds[(i + worker + 1) % dishIds.length]!, quantity: 2 }];
        const order = await f.orders.place(buyer, { items: items[0]!.dishId === items[1]!.dishId ? [items[0]!] : items });
        placedIds.push(order.id);
        if (i % 3 === 0) await f.orders.cancel(staff, order.id).catch(() => undefined);
        else if (i % 5 === 0) await f.orders.advance(staff, order.id).catch(() => undefined);
      }
    });
    const cancellers = Array.from({ length: 2 }, async () => {
      while (placing) {
        const id = placedIds[Math.floor(Math.random() * placedIds.length)];
        if (id) await f.orders.cancel(staff, id).catch(() => undefined);
        await sleep(2);
      }
    });
    const ticker = (async () => {
      while (placing) {
        await advanceDueOrders(f.db.dataSource, { stageSeconds: 0, batchSize: 50 });
        await sleep(5);
      }
    })();
    await Promise.all(placers);
    placing = false;
    await Promise.all([...cancellers, ticker]);
    await advanceDueOrders(f.db.dataSource, { stageSeconds: 0 });

    const entries = await caughtUp(f);
    const elapsed = performance.now() - started;
    const rows = await assertStreamMatchesHistory(f, entries);
    // Time from the move's statement (its `at`) to the XADD that published it (the entry id's time).
    const lags = entries
      .flatMap((entry) => entry.batch.orders.map((event) => (entryTimes.get(entry.id) ?? Number(entry.id.split('-')[0])) - Date.parse(event.at)))
      .sort((a, b) => a - b);
    const menuEntries = entries.filter((entry) => entry.batch.menu).length;
    console.log(
      `live events under concurrency: ${placedIds.length} orders placed, ${rows} status changes = ${lags.length} events in ${entries.length} entries ` +
        `(${menuEntries} with menu changes) over ${Math.round(elapsed)} ms; statement -> XADD p50 ${percentile(lags, 50)} ms, p99 ${percentile(lags, 99)} ms, max ${lags.at(-1)} ms`,
    );
    assert.equal(lags.length, rows);
  });

  it('waits for a transaction that holds a lower id and publishes it, and what committed after it, once it commits', async () => {
    const f = await setUp('live_events_held');
    f.startRelay();
    await relayReady(f);
    const dish = await f.dishes.create({ name: 'Soup', price: new MoneyInput('5.00'), quantity: 10 });
    await caughtUpMenu(f);
    const before = (await allEntries(f)).length;

    // The held transaction records its order's event first (lower id and xid), then stays open.
    const held = f.db.dataSource.createQueryRunner();
    await held.startTransaction();
    const [{ id: heldOrder }] = (await held.query(`INSERT INTO orders (user_id) VALUES (gen_random_uuid()) RETURNING id`)) as [{ id: string }];
    await recordCreation(held.manager, heldOrder);
    const later = await f.orders.place(customer(), { items: [{ dishId: dish.id, quantity: 1 }] });
    const ids = (await f.db.dataSource.query(`SELECT unnest(order_ids) AS order_id FROM order_status_events`)) as Array<{ order_id: string }>;
    assert.deepEqual(ids.map((row) => row.order_id), [later.id], 'only the later order has committed');

    await sleep(POLL_MS * 10);
    assert.equal((await allEntries(f)).length, before, 'nothing past the open transaction is published while it is open');
    await held.commitTransaction();
    await held.release();

    const entries = (await caughtUp(f)).slice(before);
    await assertStreamMatchesHistory(f, await allEntries(f));
    const published = entries.flatMap((entry) => entry.batch.orders.map((event) => event.orderId));
    assert.deepEqual(published.sort(), [heldOrder, later.id].sort());
    console.log(`held transaction: published after its commit in ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}`);
  });

  it('never publishes a move before the move it waited for, even when its transaction has the lower xid', async () => {
    const f = await setUp('live_events_waited');
    f.startRelay();
    await relayReady(f);
    const [d1, d2, dx] = await Promise.all(['A', 'B', 'X'].map((name) => f.dishes.create({ name, price: new MoneyInput('5.00'), quantity: 10 })));
    const order = await f.orders.place(customer(), { items: [{ dishId: dx!.id, quantity: 1 }] });
    await caughtUp(f);
    await caughtUpMenu(f);
    const before = (await allEntries(f)).length;

    const low = f.db.dataSource.createQueryRunner();
    const middle = f.db.dataSource.createQueryRunner();
    const high = f.db.dataSource.createQueryRunner();
    try {
      // xids in this order: low (writes a dish first, as an idempotency key would), middle, high.
      await low.startTransaction();
      await low.query(`UPDATE dishes SET description = 'low' WHERE id = $1`, [d1!.id]);
      await middle.startTransaction();
      await middle.query(`UPDATE dishes SET description = 'middle' WHERE id = $1`, [d2!.id]);
      await high.startTransaction();
      assert.equal(await advanceOneStage(high.manager, order.id), 'IN_PROGRESS');
      // low's cancel waits on high's row lock, so it is stamped, and commits, after high's move.
      const cancelled = cancelIfIn(low.manager, order.id, ACTIVE_STATUSES);
      await lockWaiter(f);
      await high.commitTransaction();
      assert.equal(await cancelled, true);
      await low.commitTransaction();

      // low is below the horizon now, high is not (middle is open): low's cancel must wait for high's move.
      await sleep(POLL_MS * 10);
      const meanwhile = (await allEntries(f)).slice(before).flatMap((entry) => entry.batch.orders);
      assert.deepEqual(meanwhile, [], 'the cancel was not published ahead of the move it waited for');
      await middle.commitTransaction();
    } finally {
      for (const runner of [low, middle, high]) {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        await runner.release();
      }
    }
    const entries = await caughtUp(f);
    await assertStreamMatchesHistory(f, entries);
    const statuses = entries.flatMap((entry) => entry.batch.orders).map((event) => event.status);
    assert.deepEqual(statuses, ['WAITING', 'IN_PROGRESS', 'CANCELLED']);
  });

  it('never publishes a move ahead of an earlier one of the same order in the unpublished rest of a many-order row', async () => {
    const f = await setUp('live_events_partial_row');
    f.startRelay({ batchSize: 2 });
    await relayReady(f);
    const [dish] = await Promise.all([f.dishes.create({ name: 'A', price: new MoneyInput('5.00'), quantity: 10 })]);
    const ids = await insertOrders(f.db.dataSource, { count: 3, status: 'WAITING', ageSeconds: 120 });
    const last = ids[2]!;
    await caughtUp(f);
    await caughtUpMenu(f);
    const before = (await allEntries(f)).length;

    const low = f.db.dataSource.createQueryRunner();
    const tick = f.db.dataSource.createQueryRunner();
    try {
      // low takes its xid first; the tick (higher xid) moves all three orders in one row, the last one last.
      await low.startTransaction();
      await low.query(`UPDATE dishes SET description = 'low' WHERE id = $1`, [dish!.id]);
      await tick.startTransaction();
      assert.equal((await advanceDueOrders(tick, { stageSeconds: 30 })).moved, 3);
      // low's cancel of the last order waits for the tick, so it happens after that order's move.
      const cancelled = cancelIfIn(low.manager, last, ACTIVE_STATUSES);
      await lockWaiter(f);
      await tick.commitTransaction();
      assert.equal(await cancelled, true);
      await low.commitTransaction();
    } finally {
      for (const runner of [low, tick]) {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        await runner.release();
      }
    }
    // In cursor order the cancel (low xid) comes first, then the tick's row: a batch of two holds
    // the cancel and the tick's first move, and the last order's move is in the row's unpublished rest.
    const entries = await caughtUp(f);
    await assertStreamMatchesHistory(f, entries);
    const lastEvents = entries.slice(before).flatMap((entry) => entry.batch.orders.filter((event) => event.orderId === last).map((event) => event.status));
    assert.deepEqual(lastEvents, ['IN_PROGRESS', 'CANCELLED']);
  });

  it('publishes a tick that moves 20,000 orders in a bounded number of entries', async () => {
    const f = await setUp('live_events_big_tick');
    const batchSize = 1000;
    f.startRelay({ batchSize });
    await relayReady(f);
    await insertOrders(f.db.dataSource, { count: 20_000, status: 'WAITING', ageSeconds: 120 });
    await caughtUp(f);
    const before = (await allEntries(f)).length;

    const started = performance.now();
    const tick = await advanceDueOrders(f.db.dataSource, { stageSeconds: 30 });
    assert.equal(tick.moved, 20_000);
    const entries = (await caughtUp(f)).slice(before);
    const elapsed = performance.now() - started;
    const events = entries.reduce((sum, entry) => sum + entry.batch.orders.length, 0);
    console.log(`big tick: ${tick.moved} orders moved in ${tick.batches} tick batches -> ${events} events in ${entries.length} stream entries, tick start to last XADD ${Math.round(elapsed)} ms`);
    assert.equal(events, 20_000);
    assert.ok(entries.length <= Math.ceil(20_000 / batchSize) + 5, `${entries.length} entries`);
    await assertStreamMatchesHistory(f, await allEntries(f));
  });

  it('with two relays, one publishes; when it stops the other takes over; each change is published once', async () => {
    const f = await setUp('live_events_two_relays');
    const first = f.startRelay({ batchSize: 50 });
    const second = f.startRelay({ batchSize: 50 });
    await relayReady(f);
    let bothActive = 0;
    const watching = setInterval(() => {
      if (first.active && second.active) bothActive += 1;
    }, 5);
    try {
      const dish = await f.dishes.create({ name: 'Soup', price: new MoneyInput('5.00'), quantity: 10_000 });
      const placeSome = (count: number) =>
        Promise.all(Array.from({ length: count }, () => f.orders.place(customer(), { items: [{ dishId: dish.id, quantity: 1 }] })));
      await placeSome(100);
      await advanceDueOrders(f.db.dataSource, { stageSeconds: 0 });
      const active = first.active ? first : second;
      const standby = active === first ? second : first;
      assert.equal(standby.active, false);
      const placing = placeSome(100);
      await active.close();
      await placing;
      await advanceDueOrders(f.db.dataSource, { stageSeconds: 0 });
      await waitFor('the standby to take over', () => (standby.active ? true : undefined));
      const entries = await caughtUp(f);
      const rows = await assertStreamMatchesHistory(f, entries);
      console.log(`two relays: ${rows} events in ${entries.length} entries, published once across a takeover`);
    } finally {
      clearInterval(watching);
    }
    assert.equal(bothActive, 0, 'never two active relays');
  });

  it('refuses to publish from a cursor that moved under it (the fence), then resumes from the stored one', async () => {
    const f = await setUp('live_events_fence');
    const warnings: string[] = [];
    const logger = { ...testLogger, warn: (_: unknown, message: string) => warnings.push(message), info: () => undefined } as unknown as typeof testLogger;
    f.startRelay({ logger });
    await relayReady(f);
    const dish = await f.dishes.create({ name: 'Soup', price: new MoneyInput('5.00'), quantity: 10 });
    await caughtUpMenu(f);
    const before = (await allEntries(f)).length;
    // As if another relay had published: same position, written differently, so the compare-and-set fails.
    const cursorKey = `${f.testRedis.prefix}live:events:cursor`;
    await f.redis.set(cursorKey, `0${(await f.redis.get(cursorKey))!}`);
    await f.orders.place(customer(), { items: [{ dishId: dish.id, quantity: 1 }] });
    const entries = await caughtUp(f);
    assert.ok(warnings.includes('live events relay interrupted; connecting again'), 'the stale publish was refused');
    assert.equal(entries.length, before + 1, 'the batch was published once, after the relay read the stored cursor');
    await assertStreamMatchesHistory(f, entries);
  });
});

describe('live events reader', () => {
  it('reads parsed batches after an id, waits for the next one, and knows the newest and oldest ids', async () => {
    const f = await setUp('live_events_reader');
    const key = liveEventsStreamKey(f.testRedis.prefix);
    assert.equal(await lastLiveEventId(f.redis, f.testRedis.prefix), '0-0');
    assert.equal(await oldestLiveEventId(f.redis, f.testRedis.prefix), null);
    assert.deepEqual(await readLiveEvents(f.redis, f.testRedis.prefix, '0', 50), []);
    const batch = { orders: [{ orderId: randomUUID(), userId: randomUUID(), status: 'WAITING', at: new Date().toISOString() }], menu: false, dishIds: [] };
    const firstId = (await f.redis.xadd(key, '*', 'batch', JSON.stringify(batch)))!;
    assert.deepEqual(await readLiveEvents(f.redis, f.testRedis.prefix, '0', 50), [{ id: firstId, batch }]);
    assert.equal(await lastLiveEventId(f.redis, f.testRedis.prefix), firstId);

    const blocking = f.redis.duplicate();
    try {
      const next = readLiveEvents(blocking, f.testRedis.prefix, firstId, 5000);
      await sleep(50);
      const secondId = (await f.redis.xadd(key, '*', 'batch', JSON.stringify({ orders: [], menu: true, dishIds: [randomUUID()] })))!;
      const [entry] = await next;
      assert.equal(entry!.id, secondId);
      assert.equal(entry!.batch.menu, true);
      assert.equal(await oldestLiveEventId(f.redis, f.testRedis.prefix), firstId);
    } finally {
      blocking.disconnect();
    }
    assert.throws(() => parseLiveEventBatch('{"orders":[{"orderId":"x"}],"menu":false,"dishIds":[]}'), /bad order event/);
    assert.throws(() => parseLiveEventBatch('{"orders":[],"menu":"yes","dishIds":[]}'), /menu is not a boolean/);
  });
});

/** Waits until the relay has published every menu change (the outbox is empty). */
async function caughtUpMenu(f: Fixture): Promise<void> {
  await waitFor('the menu outbox to be published', async () =>
    ((await f.db.dataSource.query(`SELECT count(*)::int AS n FROM menu_changes`)) as [{ n: number }])[0].n === 0 ? true : undefined,
  );
}
