/**
 * dishpatch scaled out on one machine: two each of gateway, auth, orders and worker as real
 * processes, a round-robin TCP proxy in front of each pair of HTTP replicas (as a Kubernetes
 * Service is), one PostgreSQL (fresh databases) and one Redis (fresh prefix). Concurrent
 * customers place, cancel and query orders for 30 s while one replica of each service is
 * killed -9 and started again; then the data, the kitchen clock, revocation and live updates
 * are checked, and the run's figures printed. `npm run test:scale`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import pg from 'pg';
import WebSocket from 'ws';
import { GATEWAY_SECRET_HEADER } from '@dishpatch/shared/http';
import { GraphQLRequestError, requestGraphQL } from '../../../scripts/lib/graphql-client.js';
import { findFreePort } from '../../../scripts/lib/ports.js';
import { REPO_ROOT, type ServiceProcess } from '../../../scripts/lib/service-process.js';
import { bullPrefixOf } from '../../../worker/src/config.js';
import { KITCHEN_QUEUE } from '../../../worker/src/kitchen-clock.js';
import { READY_TIMEOUT_MS, createSystem, type TestSystem } from '../support/system.js';
import { RoundRobinProxy } from './round-robin-proxy.js';

const LOAD_SECONDS = 30;
const CUSTOMERS = 8;
const STAGE_SECONDS = 3;
const TICK_MS = 1000;
const DISHES = 4;
const UNITS_PER_DISH = 250;
/** When, into the load, one replica of each is killed -9 (and at once started again). */
const KILLS: { service: Service; atSeconds: number }[] = [
  { service: 'auth', atSeconds: 5 },
  { service: 'orders', atSeconds: 10 },
  { service: 'worker', atSeconds: 15 },
  { service: 'gateway', atSeconds: 20 },
];
const REVOCATION_DEADLINE_MS = 1000;

type Service = 'auth' | 'orders' | 'worker' | 'gateway';
const WORKSPACES: Record<Service, string> = { auth: 'auth-subgraph', orders: 'orders-subgraph', worker: 'worker', gateway: 'gateway' };
const PORT_VARIABLE: Record<Service, string> = { auth: 'AUTH_PORT', orders: 'ORDERS_PORT', worker: 'WORKER_PORT', gateway: 'GATEWAY_PORT' };

interface Replica {
  service: Service;
  name: string;
  port: number;
  env: NodeJS.ProcessEnv;
  process: ServiceProcess;
}

interface AcknowledgedOrder {
  id: string;
  lines: Map<string, number>;
}

/** Requests per operation: how many were answered, and the failures by error code. */
class Tally {
  readonly byOperation = new Map<string, { ok: number; failed: Map<string, number> }>();

  record(operation: string, outcome: 'ok' | string): void {
    const entry = this.byOperation.get(operation) ?? { ok: 0, failed: new Map<string, number>() };
    this.byOperation.set(operation, entry);
    if (outcome === 'ok') entry.ok++;
    else entry.failed.set(outcome, (entry.failed.get(outcome) ?? 0) + 1);
  }

  lines(): string[] {
    return [...this.byOperation].map(([operation, { ok, failed }]) => {
      const failures = [...failed].sort((a, b) => b[1] - a[1]).map(([code, count]) => `${code} ${count}`);
      return `${operation.padEnd(13)} ok ${String(ok).padStart(5)}   failed ${[...failed.values()].reduce((sum, count) => sum + count, 0)}${failures.length ? ` (${failures.join(', ')})` : ''}`;
    });
  }
}

function errorCodeOf(error: unknown): string {
  if (error instanceof GraphQLRequestError) return error.code ?? 'GRAPHQL_ERROR';
  if (error instanceof Error && error.name === 'TimeoutError') return 'CLIENT_TIMEOUT';
  return 'NETWORK_ERROR';
}

interface KitchenBoard {
  /** The statuses seen per order id. */
  readonly statuses: Map<string, Set<string>>;
  /** How many events arrived. */
  readonly events: number;
  /** Why the stream ended each time the board had to resume. */
  readonly drops: string[];
  stop(): Promise<void>;
}

/**
 * A kitchen board as a browser's EventSource would keep it: `kitchenUpdates` over SSE, and
 * whenever the stream ends (the gateway drops a subscriber that falls behind), a new request
 * with the last event's id as Last-Event-ID, so the gateway replays what was missed.
 */
function followKitchenBoard(url: string, token: string): KitchenBoard {
  const statuses = new Map<string, Set<string>>();
  const drops: string[] = [];
  const controller = new AbortController();
  let events = 0;
  let lastEventId: string | undefined;
  const follow = async () => {
    while (!controller.signal.aborted) {
      let ending = 'the stream ended';
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'text/event-stream',
            authorization: `Bearer ${token}`,
            ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
          },
          body: JSON.stringify({ query: 'subscription { kitchenUpdates { id status } }' }),
          signal: controller.signal,
        });
        let buffered = '';
        for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) {
          buffered += chunk;
          let boundary: number;
          while ((boundary = buffered.indexOf('\n\n')) >= 0) {
            const block = buffered.slice(0, boundary);
            buffered = buffered.slice(boundary + 2);
            const field = (name: string) => block.split('\n').find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
            if (field('event') !== 'next') continue;
            const result = JSON.parse(field('data') ?? '{}') as { data?: { kitchenUpdates?: { id: string; status: string } } | null; errors?: { message: string }[] };
            const order = result.data?.kitchenUpdates;
            if (order) {
              events++;
              statuses.set(order.id, (statuses.get(order.id) ?? new Set()).add(order.status));
              lastEventId = field('id') ?? lastEventId;
            } else if (result.errors) {
              ending = result.errors.map((error) => error.message).join(', ');
            }
          }
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        ending = String(error);
      }
      if (controller.signal.aborted) return;
      drops.push(ending);
      await sleep(100);
    }
  };
  const following = follow();
  return {
    statuses,
    drops,
    get events() {
      return events;
    },
    async stop() {
      controller.abort();
      await following;
    },
  };
}

const sleep = (ms: number) => new Promise((resolveDelay) => setTimeout(resolveDelay, ms));

describe(`two replicas of each service, one of each killed -9 under ${LOAD_SECONDS} s of load`, () => {
  let system: TestSystem;
  let database: pg.Client;
  const replicas: Replica[] = [];
  const proxies = new Map<'auth' | 'orders' | 'gateway', RoundRobinProxy>();
  const tally = new Tally();
  const acknowledged = new Map<string, AcknowledgedOrder>();
  const acknowledgedCancels = new Set<string>();
  const events: string[] = [];
  let kitchenBoard: KitchenBoard | undefined;
  const wsClients: WsClient[] = [];
  let gatewayUrl = '';
  let managerToken = '';
  const dishIds: string[] = [];
  /** A dish the load never orders, for the checks after it. */
  let reservedDishId = '';

  const replicaUrl = (replica: Replica) => `http://127.0.0.1:${replica.port}/graphql`;
  const replicasOf = (service: Service) => replicas.filter((replica) => replica.service === service);
  const mark = (startedAt: number, text: string) => events.push(`${((Date.now() - startedAt) / 1000).toFixed(1).padStart(5)} s  ${text}`);

  function startReplica(replica: Omit<Replica, 'process'>): Replica {
    const serviceProcess = system.service(replica.name, { workspace: WORKSPACES[replica.service], port: replica.port, env: replica.env });
    serviceProcess.start();
    const started = { ...replica, process: serviceProcess };
    const index = replicas.findIndex((existing) => existing.name === replica.name);
    if (index >= 0) replicas[index] = started;
    else replicas.push(started);
    return started;
  }

  /** A new customer's access token. */
  const register = async (username: string) =>
    (
      await requestGraphQL<{ register: { accessToken: string } }>(gatewayUrl, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }', {
        variables: { input: { username, email: `${username}@example.com`, password: 'correct horse battery' } },
      })
    ).register.accessToken;
  const createDish = async (name: string, quantity: number) =>
    (
      await requestGraphQL<{ createDish: { id: string } }>(gatewayUrl, 'mutation($input: CreateDishInput!) { createDish(input: $input) { id } }', {
        token: managerToken,
        variables: { input: { name, price: '5.00', quantity } },
      })
    ).createDish.id;

  const wsClient = (port: number, token: string) => {
    const client = createWsClient({ url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
    wsClients.push(client);
    return client;
  };

  before(async () => {
    const ports = Object.fromEntries(
      await Promise.all((['auth', 'orders', 'worker', 'gateway'] as const).map(async (service) => [service, [await findFreePort(), await findFreePort()]] as const)),
    ) as Record<Service, [number, number]>;
    for (const service of ['auth', 'orders', 'gateway'] as const) proxies.set(service, await new RoundRobinProxy(ports[service]).start());
    const authProxy = `http://127.0.0.1:${proxies.get('auth')!.port}`;
    // Every auth replica signs with one key, as the Kubernetes Secret gives them.
    const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    system = await createSystem('scale', {
      ORDER_TICK_MS: String(TICK_MS),
      ORDER_STAGE_SECONDS: String(STAGE_SECONDS),
      // Two orders replicas share the machine's PostgreSQL with the other tests' databases.
      ORDERS_DATABASE_POOL_SIZE: '5',
      AUTH_PRIVATE_KEY: signingKey,
      AUTH_JWKS_URL: `${authProxy}/.well-known/jwks.json`,
      AUTH_SUBGRAPH_URL: `${authProxy}/graphql`,
      ORDERS_SUBGRAPH_URL: `http://127.0.0.1:${proxies.get('orders')!.port}/graphql`,
    });
    gatewayUrl = `http://127.0.0.1:${proxies.get('gateway')!.port}/graphql`;
    const replicaOf = (service: Service, index: number): Omit<Replica, 'process'> => {
      const env: NodeJS.ProcessEnv = { [PORT_VARIABLE[service]]: String(ports[service][index]) };
      return { service, name: `${service}-${index + 1}`, port: ports[service][index]!, env };
    };
    const metricsPorts = [await findFreePort(), await findFreePort()];
    // Both replicas of a subgraph start together and race for their migrations (the advisory lock orders them).
    for (const service of ['auth', 'orders'] as const) for (const index of [0, 1]) startReplica(replicaOf(service, index));
    await Promise.all([...replicasOf('auth'), ...replicasOf('orders')].map((replica) => replica.process.waitUntilReady(READY_TIMEOUT_MS)));
    for (const index of [0, 1]) {
      startReplica(replicaOf('worker', index));
      const gateway = replicaOf('gateway', index);
      gateway.env['GATEWAY_METRICS_PORT'] = String(metricsPorts[index]);
      startReplica(gateway);
    }
    await Promise.all(replicas.map((replica) => replica.process.waitUntilReady(READY_TIMEOUT_MS)));

    execFileSync('npm', ['run', '--silent', 'create-manager', '--', '--email', 'boss.scale@example.com', '--password', 'manager password 1', '--username', 'scale_boss'], {
      cwd: REPO_ROOT,
      env: system.env,
      stdio: 'pipe',
    });
    managerToken = (
      await requestGraphQL<{ login: { accessToken: string } }>(gatewayUrl, 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }', {
        variables: { input: { email: 'boss.scale@example.com', password: 'manager password 1' } },
      })
    ).login.accessToken;
    for (let index = 0; index < DISHES; index++) dishIds.push(await createDish(`Scale dish ${index}`, UNITS_PER_DISH));
    reservedDishId = await createDish('Scale reserved dish', 10);
    database = new pg.Client({ connectionString: system.ordersDb.url });
    await database.connect();
  });

  after(async () => {
    await kitchenBoard?.stop();
    for (const client of wsClients) await client.dispose();
    await database?.end();
    await system?.stop();
    for (const proxy of proxies.values()) await proxy.close();
    const connections = [...proxies].map(([service, proxy]) => `${service} ${proxy.connectionsPerBackend.join(' / ')}`).join(', ');
    process.stdout.write(
      [
        '',
        `== multi-replica run: ${CUSTOMERS} customers for ${LOAD_SECONDS} s, 2 replicas of each service`,
        ...tally.lines(),
        `connections per replica through the proxies: ${connections}`,
        ...events,
        '',
      ].join('\n'),
    );
  });

  async function customer(index: number, deadline: number): Promise<void> {
    const token = await register(`scale_customer_${index}`);
    const mine: string[] = [];
    const call = async <T>(operation: string, query: string, variables?: Record<string, unknown>): Promise<T | undefined> => {
      try {
        const data = await requestGraphQL<T>(gatewayUrl, query, { token, ...(variables ? { variables } : {}) });
        tally.record(operation, 'ok');
        return data;
      } catch (error) {
        tally.record(operation, errorCodeOf(error));
        return undefined;
      }
    };
    while (Date.now() < deadline) {
      const roll = Math.random();
      if (roll < 0.5) {
        // One dish picked at random, and each other with a chance of 0.3, so every dish sells out in time.
        const first = dishIds[Math.floor(Math.random() * dishIds.length)]!;
        const lines = new Map<string, number>();
        for (const dishId of dishIds) if (dishId === first || Math.random() < 0.3) lines.set(dishId, 1 + Math.floor(Math.random() * 3));
        const items = [...lines].map(([dishId, quantity]) => ({ dishId, quantity }));
        const data = await call<{ placeOrder: { id: string } }>('placeOrder', 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }', {
          input: { items, idempotencyKey: randomUUID() },
        });
        if (data) {
          acknowledged.set(data.placeOrder.id, { id: data.placeOrder.id, lines });
          mine.push(data.placeOrder.id);
        }
      } else if (roll < 0.65 && mine.length > 0) {
        const id = mine.splice(Math.floor(Math.random() * mine.length), 1)[0]!;
        const data = await call<{ cancelOrder: { status: string } }>('cancelOrder', 'mutation($id: ID!) { cancelOrder(id: $id) { status } }', { id });
        if (data?.cancelOrder.status === 'CANCELLED') acknowledgedCancels.add(id);
      } else if (roll < 0.85) {
        await call('myOrders', '{ myOrders(first: 5) { edges { node { id status items { quantity dish { name } } } } } }');
      } else {
        await call('menu', '{ menu { id name quantity } }');
      }
    }
  }

  async function killAndRestart(service: Service, startedAt: number): Promise<void> {
    const victim = replicasOf(service)[0]!;
    process.kill(-victim.process.pid!, 'SIGKILL');
    await victim.process.whenExited();
    mark(startedAt, `killed -9 ${victim.name}`);
    const restarted = startReplica({ service, name: victim.name, port: victim.port, env: victim.env });
    await restarted.process.waitUntilReady(READY_TIMEOUT_MS);
    mark(startedAt, `${victim.name} restarted and ready`);
  }

  it(`serves placeOrder, cancelOrder and queries from ${CUSTOMERS} customers while a replica of each service is killed -9 and restarted`, async () => {
    // The kitchen board, on the gateway that is never killed: it must see orders placed through either.
    const survivor = replicasOf('gateway')[1]!;
    kitchenBoard = followKitchenBoard(`http://127.0.0.1:${survivor.port}/graphql`, managerToken);
    await sleep(500);
    const startedAt = Date.now();
    const deadline = startedAt + LOAD_SECONDS * 1000;
    mark(startedAt, 'load starts');
    const chaos = (async () => {
      const restarts: Promise<void>[] = [];
      for (const { service, atSeconds } of KILLS) {
        await sleep(startedAt + atSeconds * 1000 - Date.now());
        restarts.push(killAndRestart(service, startedAt));
      }
      await Promise.all(restarts);
    })();
    await Promise.all(Array.from({ length: CUSTOMERS }, (_, index) => customer(index, deadline)));
    mark(startedAt, 'load ends');
    await chaos;
    // Let the kitchen clock finish every order still in the kitchen.
    const settleDeadline = Date.now() + 60_000;
    while ((await database.query(`SELECT count(*)::int AS n FROM orders WHERE status IN ('WAITING', 'IN_PROGRESS')`)).rows[0].n > 0) {
      assert.ok(Date.now() < settleDeadline, 'orders still in the kitchen 60 s after the load');
      await sleep(500);
    }
    mark(startedAt, 'every order DONE or CANCELLED');
    assert.ok(acknowledged.size > 0, 'some orders were acknowledged');
  });

  it('sold nothing twice: every dish’s stock plus the units of its live orders is what it started with, and never negative', async () => {
    const { rows } = await database.query<{ id: string; quantity: number; ordered: number }>(
      `SELECT d.id, d.quantity, coalesce(sum(i.quantity) FILTER (WHERE o.status <> 'CANCELLED'), 0)::int AS ordered
         FROM dishes d LEFT JOIN order_items i ON i.dish_id = d.id LEFT JOIN orders o ON o.id = i.order_id
        WHERE d.id = ANY($1::uuid[]) GROUP BY d.id`,
      [dishIds],
    );
    assert.equal(rows.length, DISHES);
    for (const row of rows) {
      assert.ok(row.quantity >= 0, `dish ${row.id} has ${row.quantity} units`);
      assert.equal(row.quantity + row.ordered, UNITS_PER_DISH, `dish ${row.id}: ${row.quantity} in stock + ${row.ordered} in orders`);
    }
    const sold = rows.reduce((sum, row) => sum + row.ordered, 0);
    events.push(`stock: ${sold} of ${DISHES * UNITS_PER_DISH} units in orders that were not cancelled, ${rows.map((row) => row.quantity).join(' / ')} left`);
  });

  it('kept every acknowledged order with its lines, and every acknowledged cancellation', async () => {
    const ids = [...acknowledged.keys()];
    const { rows } = await database.query<{ id: string; status: string; lines: Record<string, number> }>(
      `SELECT o.id, o.status, jsonb_object_agg(i.dish_id, i.quantity) AS lines
         FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id = ANY($1::uuid[]) GROUP BY o.id`,
      [ids],
    );
    const stored = new Map(rows.map((row) => [row.id, row]));
    for (const order of acknowledged.values()) {
      const row = stored.get(order.id);
      assert.ok(row, `acknowledged order ${order.id} is missing`);
      assert.deepEqual(row.lines, Object.fromEntries(order.lines), `order ${order.id} has other lines than were acknowledged`);
      if (acknowledgedCancels.has(order.id)) assert.equal(row.status, 'CANCELLED', `order ${order.id} was acknowledged as cancelled`);
    }
    const total = (await database.query<{ n: number }>('SELECT count(*)::int AS n FROM orders')).rows[0]!.n;
    events.push(`orders: ${acknowledged.size} acknowledged (${total} stored: a placeOrder whose answer was lost to a kill may have committed), ${acknowledgedCancels.size} cancellations acknowledged`);
  });

  it('moved every order once per stage, never early, and ran each kitchen tick once', async () => {
    const { rows } = await database.query<{ id: string; status: string; history: string[]; seconds: number[] }>(
      // Each order's history as it is stored: the start of each stage it left, then its current status.
      `SELECT o.id, o.status, array_agg(h.status ORDER BY h.at) AS history,
              array_agg(extract(epoch FROM h.at)::float8 ORDER BY h.at) AS seconds
         FROM orders o
         CROSS JOIN LATERAL (VALUES ('WAITING', o.waiting_at), ('IN_PROGRESS', o.in_progress_at), (o.status, o.status_changed_at)) AS h (status, at)
        WHERE h.at IS NOT NULL GROUP BY o.id`,
    );
    const paths = new Set(['WAITING', 'WAITING IN_PROGRESS', 'WAITING IN_PROGRESS DONE', 'WAITING CANCELLED', 'WAITING IN_PROGRESS CANCELLED']);
    let tickMoves = 0;
    for (const row of rows) {
      assert.ok(paths.has(row.history.join(' ')), `order ${row.id} went ${row.history.join(' -> ')}`);
      assert.equal(row.history.at(-1), row.status, `order ${row.id} is ${row.status} but its history ends ${row.history.at(-1)}`);
      for (let step = 1; step < row.history.length; step++) {
        if (row.history[step] === 'CANCELLED') continue;
        tickMoves++;
        // Stored to the microsecond; a stage is at least ORDER_STAGE_SECONDS by the database's own clock.
        assert.ok(row.seconds[step]! - row.seconds[step - 1]! >= STAGE_SECONDS - 0.001, `order ${row.id} left ${row.history[step - 1]} early`);
      }
    }
    const redis = new Redis(system.redis.url, { maxRetriesPerRequest: 1 });
    const queue = new Queue(KITCHEN_QUEUE, { connection: redis, prefix: bullPrefixOf(system.redis.prefix) });
    try {
      const jobs = await queue.getJobs(['completed', 'failed']);
      const ids = jobs.map((job) => job.id);
      assert.equal(new Set(ids).size, ids.length, 'a tick job recorded twice');
      const slots = jobs.map((job) => job.timestamp + (job.opts.delay ?? 0));
      assert.equal(new Set(slots).size, slots.length, 'two tick jobs for one scheduled time');
      const completed = jobs.filter((job) => job.finishedOn !== undefined && job.failedReason === undefined);
      const moved = completed.reduce((sum, job) => sum + ((job.returnvalue as { total?: number } | null)?.total ?? 0), 0);
      // A tick whose worker was killed after committing is run again and moves nothing: fewer counted, never more.
      assert.ok(moved <= tickMoves, `ticks report ${moved} moves, the history holds ${tickMoves}`);
      const retried = jobs.filter((job) => job.attemptsStarted > 1 || job.stalledCounter > 0).length;
      events.push(
        `ticks: ${completed.length} completed, ${jobs.length - completed.length} failed, ${retried} taken over after a kill; ` +
          `${tickMoves} moves in the history (${moved} reported by the recorded ticks) over ${rows.length} orders`,
      );
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });

  it(`refuses a logged-out token on every gateway, auth and orders replica within ${REVOCATION_DEADLINE_MS / 1000} s`, async () => {
    const token = await register('scale_leaver');
    const secretHeader = { [GATEWAY_SECRET_HEADER]: system.env['SUBGRAPH_SHARED_SECRET']! };
    const probes = [
      ...replicasOf('gateway').map((replica) => ({ name: replica.name, ask: () => requestGraphQL(replicaUrl(replica), '{ me { id } }', { token }) })),
      ...replicasOf('auth').map((replica) => ({ name: replica.name, ask: () => requestGraphQL(replicaUrl(replica), '{ me { id } }', { token, headers: secretHeader }) })),
      ...replicasOf('orders').map((replica) => ({ name: replica.name, ask: () => requestGraphQL(replicaUrl(replica), '{ myOrders(first: 1) { edges { node { id } } } }', { token, headers: secretHeader }) })),
    ];
    for (const probe of probes) await probe.ask();
    await requestGraphQL(gatewayUrl, 'mutation { logout }', { token });
    const loggedOutAt = Date.now();
    const refusedAfter = await Promise.all(
      probes.map(async (probe) => {
        for (;;) {
          try {
            await probe.ask();
          } catch (error) {
            assert.equal(errorCodeOf(error), 'UNAUTHENTICATED', `${probe.name}: ${String(error)}`);
            return Date.now() - loggedOutAt;
          }
          if (Date.now() - loggedOutAt > 5000) return Number.POSITIVE_INFINITY;
          await sleep(10);
        }
      }),
    );
    events.push(`revocation: refused after ${probes.map((probe, index) => `${probe.name} ${refusedAfter[index]} ms`).join(', ')}`);
    for (const [index, probe] of probes.entries()) {
      assert.ok(refusedAfter[index]! <= REVOCATION_DEADLINE_MS, `${probe.name} still accepted the token ${refusedAfter[index]} ms after logout`);
    }
  });

  it('delivered live updates across gateway replicas: the kitchen board on one saw orders placed through both, and each sees changes made through the other', async () => {
    const board = kitchenBoard!;
    const everyOrderSeen = () => [...acknowledged.keys()].every((id) => board.statuses.has(id));
    const until = Date.now() + 10_000;
    while (!everyOrderSeen() && Date.now() < until) await sleep(100);
    await board.stop();
    const missing = [...acknowledged.keys()].filter((id) => !board.statuses.has(id));
    assert.deepEqual(missing, [], `acknowledged orders the kitchen board on gateway-2 never saw (it saw ${board.statuses.size} orders; ${board.drops.join('; ') || 'never dropped'})`);
    const [first, second] = replicasOf('gateway') as [Replica, Replica];
    const token = await register('scale_watcher');
    for (const [watching, acting] of [[first, second], [second, first]] as const) {
      const seen: string[] = [];
      const unsubscribe = wsClient(watching.port, token).subscribe(
        { query: 'subscription { myOrderUpdates { id status } }' },
        { next: (result) => void seen.push(JSON.stringify((result.data as { myOrderUpdates: unknown }).myOrderUpdates)), error: () => {}, complete: () => {} },
      );
      await sleep(500);
      const { placeOrder } = await requestGraphQL<{ placeOrder: { id: string } }>(replicaUrl(acting), 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }', {
        token,
        variables: { input: { items: [{ dishId: reservedDishId, quantity: 1 }] } },
      });
      // Each event is resolved to the order as it is when the event is served: cancel only once the placement was seen.
      const waitFor = async (status: string) => {
        const event = JSON.stringify({ id: placeOrder.id, status });
        const until = Date.now() + 10_000;
        while (!seen.includes(event) && Date.now() < until) await sleep(50);
        assert.ok(seen.includes(event), `a subscriber on ${watching.name} never saw ${status} for an order placed through ${acting.name} (saw ${seen.join(', ') || 'nothing'})`);
      };
      await waitFor('WAITING');
      await requestGraphQL(replicaUrl(acting), 'mutation($id: ID!) { cancelOrder(id: $id) { id } }', { token, variables: { id: placeOrder.id } });
      await waitFor('CANCELLED');
      unsubscribe();
    }
    events.push(
      `live: the kitchen board (SSE) on gateway-2 saw all ${acknowledged.size} acknowledged orders, ${board.events} events, ` +
        `resumed from Last-Event-ID ${board.drops.length} time(s)${board.drops.length ? ` (${[...new Set(board.drops)].join('; ')})` : ''}; gateway-1 and gateway-2 each saw an order placed and cancelled through the other`,
    );
  });
});
