/**
 * Live updates end to end: the real auth, orders, worker and two gateway processes, fresh
 * databases and Redis prefix; subscriptions through each transport with the clients apps use
 * (Apollo Client's HttpLink for multipart, graphql-sse, graphql-ws on ws), the rights cases, a
 * revoked token, and kill -9 of the orders subgraph and of the worker while clients listen.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { requestGraphQL } from '../../scripts/lib/graphql-client.js';
import { findFreePort } from '../../scripts/lib/ports.js';
import { REPO_ROOT } from '../../scripts/lib/service-process.js';
import { READY_TIMEOUT_MS, createSystem, type TestSystem } from './support/system.js';

const STAGE_SECONDS = 2;
const ORDER_FIELDS = 'id status customer { username }';

interface OrderView {
  id: string;
  status: string;
  customer: { username: string } | null;
}
type Result = { data?: Record<string, unknown> | null; errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }> };

/** Waits until `check` holds, polling; fails with `what` after `timeoutMs`. */
async function eventually(check: () => boolean, what: string, timeoutMs = 60_000, refresh?: () => Promise<void>, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await refresh?.();
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolveDelay) => setTimeout(resolveDelay, everyMs));
    await refresh?.();
  }
}

/** The statuses seen, with repeats in a row folded (an event may resolve to a state already shown). */
function distinctStatuses(orders: OrderView[]): string[] {
  return orders.map((order) => order.status).filter((status, index, all) => index === 0 || all[index - 1] !== status);
}

/** A raw SSE request read to its end: the parsed `next` payloads, and whether `complete` came. */
async function sseOnce(url: string, query: string, options: { token?: string; variables?: Record<string, unknown> } = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
    body: JSON.stringify({ query, variables: options.variables }),
    signal: AbortSignal.timeout(30_000),
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events = (await response.text()).split('\n\n').filter((block) => block.trim() !== '' && !block.startsWith(':'));
  const next = events.filter((block) => block.includes('event: next')).map((block) => JSON.parse(block.split('data: ')[1]!) as Result);
  return { next, completed: events.some((block) => block.includes('event: complete')) };
}

/** A graphql-ws subscription collected into an array; `done` settles on complete or error. */
function wsSubscribe(client: WsClient, query: string, variables: Record<string, unknown> = {}) {
  const results: Result[] = [];
  let finished = false;
  let failure: unknown;
  const done = new Promise<void>((resolveDone, rejectDone) => {
    client.subscribe(
      { query, variables },
      {
        next: (result) => void results.push(result as Result),
        error: (error) => {
          finished = true;
          failure = error;
          rejectDone(error instanceof Error ? error : new Error(JSON.stringify(error)));
        },
        complete: () => {
          finished = true;
          resolveDone();
        },
      },
    );
  });
  done.catch(() => {});
  return { results, done, get finished() { return finished; }, get failure() { return failure; } };
}

describe('live updates through the gateway: three transports, rights, kill -9, two gateways', () => {
  let system: TestSystem;
  const urls = { gateway: '', gateway2: '', ws: '', ws2: '' };
  const wsClients: WsClient[] = [];
  let customerToken = '';
  let strangerToken = '';
  let managerToken = '';
  let dishId = '';

  const placeOrder = async (token: string) => {
    const data = await requestGraphQL<{ placeOrder: { id: string } }>(urls.gateway, 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }', {
      token,
      variables: { input: { items: [{ dishId, quantity: 1 }] } },
    });
    return data.placeOrder.id;
  };
  const wsClient = (url: string, token?: string) => {
    const client = createWsClient({ url, webSocketImpl: WebSocket, connectionParams: token ? { authorization: `Bearer ${token}` } : {}, retryAttempts: 0 });
    wsClients.push(client);
    return client;
  };

  before(async () => {
    system = await createSystem('live', { ORDER_TICK_MS: '200', ORDER_STAGE_SECONDS: String(STAGE_SECONDS), GATEWAY_HEARTBEAT_MS: '1000' });
    const ports = system.ports;
    for (const name of ['gateway2', 'metrics2']) ports[name] = await findFreePort();
    // The second gateway runs two cluster processes: each reads the whole stream.
    system.service('gateway2', { workspace: 'gateway', env: { GATEWAY_PORT: String(ports['gateway2']), GATEWAY_METRICS_PORT: String(ports['metrics2']), GATEWAY_WORKERS: '2' } });
    await system.start(['auth', 'orders', 'worker', 'gateway', 'gateway2']);
    urls.gateway = `http://127.0.0.1:${ports['gateway']}/graphql`;
    urls.gateway2 = `http://127.0.0.1:${ports['gateway2']}/graphql`;
    urls.ws = `ws://127.0.0.1:${ports['gateway']}/graphql`;
    urls.ws2 = `ws://127.0.0.1:${ports['gateway2']}/graphql`;

    const register = async (username: string) =>
      (
        await requestGraphQL<{ register: { accessToken: string } }>(urls.gateway, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }', {
          variables: { input: { username, email: `${username}@example.com`, password: 'correct horse battery' } },
        })
      ).register.accessToken;
    customerToken = await register('live_ada');
    strangerToken = await register('live_bob');
    const { execFileSync } = await import('node:child_process');
    execFileSync('npm', ['run', '--silent', 'create-manager', '--', '--email', 'boss.live@example.com', '--password', 'manager password 1', '--username', 'live_boss'], { cwd: REPO_ROOT, env: system.env, stdio: 'pipe' });
    managerToken = (
      await requestGraphQL<{ login: { accessToken: string } }>(urls.gateway, 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }', {
        variables: { input: { email: 'boss.live@example.com', password: 'manager password 1' } },
      })
    ).login.accessToken;
    dishId = (
      await requestGraphQL<{ createDish: { id: string } }>(urls.gateway, 'mutation($input: CreateDishInput!) { createDish(input: $input) { id } }', {
        token: managerToken,
        variables: { input: { name: 'Live soup', price: '4.00', quantity: 1000 } },
      })
    ).createDish.id;
  });

  after(async () => {
    for (const client of wsClients) await client.dispose();
    await system?.stop();
  });

  it('each transport sees an order go WAITING → IN_PROGRESS → DONE with its customer, then completes', async () => {
    const subscription = `subscription Follow($id: ID!) { orderUpdated(id: $id) { ${ORDER_FIELDS} } }`;
    const [multipartOrder, sseOrder, wsOrder] = [await placeOrder(customerToken), await placeOrder(customerToken), await placeOrder(customerToken)];

    // Multipart: Apollo Client 4's plain HttpLink, as an app uses it.
    const apollo = new ApolloClient({ link: new HttpLink({ uri: urls.gateway, headers: { authorization: `Bearer ${customerToken}` } }), cache: new InMemoryCache() });
    const multipart = new Promise<OrderView[]>((resolveSeen, rejectSeen) => {
      const seen: OrderView[] = [];
      apollo.subscribe<{ orderUpdated: OrderView }>({ query: gql(subscription), variables: { id: multipartOrder } }).subscribe({
        next: (result) => {
          if (result.error) rejectSeen(result.error);
          else if (result.data) seen.push(result.data.orderUpdated as OrderView);
        },
        error: rejectSeen,
        complete: () => resolveSeen(seen),
      });
    });

    // SSE: graphql-sse's client in distinct connections mode.
    const sseClient = createSseClient({ url: urls.gateway, headers: { authorization: `Bearer ${customerToken}` }, retryAttempts: 0 });
    const sse = new Promise<OrderView[]>((resolveSeen, rejectSeen) => {
      const seen: OrderView[] = [];
      sseClient.subscribe<{ orderUpdated: OrderView }>(
        { query: subscription, variables: { id: sseOrder } },
        { next: (result) => (result.errors ? rejectSeen(new Error(JSON.stringify(result.errors))) : void seen.push(result.data!.orderUpdated)), error: rejectSeen, complete: () => resolveSeen(seen) },
      );
    });

    // WebSocket: graphql-ws on ws, against the second gateway (two cluster processes).
    const ws = wsSubscribe(wsClient(urls.ws2, customerToken), subscription, { id: wsOrder });

    const [multipartSeen, sseSeen] = await Promise.all([multipart, sse, ws.done]);
    const wsSeen = ws.results.map((result) => {
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      return result.data!['orderUpdated'] as OrderView;
    });
    for (const [transport, seen, id] of [['multipart', multipartSeen, multipartOrder], ['sse', sseSeen, sseOrder], ['websocket', wsSeen, wsOrder]] as const) {
      assert.deepEqual(distinctStatuses(seen), ['WAITING', 'IN_PROGRESS', 'DONE'], `${transport}: ${JSON.stringify(seen)}`);
      assert.ok(seen.every((order) => order.id === id && order.customer?.username === 'live_ada'), `${transport}: ${JSON.stringify(seen)}`);
    }
    apollo.stop();
    sseClient.dispose();
  });

  it("refuses a stranger's order (NOT_FOUND), a bad id (BAD_USER_INPUT) and a customer's kitchenUpdates (FORBIDDEN): one error, then completion", async () => {
    const orderId = await placeOrder(customerToken);
    const subscription = `subscription($id: ID!) { orderUpdated(id: $id) { ${ORDER_FIELDS} } }`;
    for (const [variables, token, code] of [
      [{ id: orderId }, strangerToken, 'NOT_FOUND'],
      [{ id: 'not-an-id' }, customerToken, 'BAD_USER_INPUT'],
    ] as const) {
      const { next, completed } = await sseOnce(urls.gateway, subscription, { token, variables });
      assert.equal(next.length, 1, JSON.stringify(next));
      assert.equal(next[0]?.errors?.[0]?.extensions?.['code'], code, JSON.stringify(next));
      assert.ok(completed);
    }
    const kitchen = await sseOnce(urls.gateway, `subscription { kitchenUpdates { ${ORDER_FIELDS} } }`, { token: customerToken });
    assert.equal(kitchen.next[0]?.errors?.[0]?.extensions?.['code'], 'FORBIDDEN');
    assert.ok(kitchen.completed);
    const anonymous = await sseOnce(urls.gateway, `subscription { myOrderUpdates { id } }`);
    assert.equal(anonymous.next[0]?.errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED');
  });

  it("myOrderUpdates shows only the viewer's own orders", async () => {
    const mine = wsSubscribe(wsClient(urls.ws, strangerToken), `subscription { myOrderUpdates { ${ORDER_FIELDS} } }`);
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 500));
    const othersOrder = await placeOrder(customerToken);
    const ownOrder = await placeOrder(strangerToken);
    const statusesOf = (id: string) => mine.results.map((result) => result.data?.['myOrderUpdates'] as OrderView | undefined).filter((order) => order?.id === id).map((order) => order!.status);
    await eventually(() => statusesOf(ownOrder).includes('DONE'), 'the own order to reach DONE');
    assert.ok(mine.results.every((result) => (result.data?.['myOrderUpdates'] as OrderView).customer?.username === 'live_bob'), JSON.stringify(mine.results));
    assert.deepEqual(statusesOf(othersOrder), []);
  });

  it('a token revoked by logout while a subscription runs ends it with UNAUTHENTICATED', async () => {
    const { login } = await requestGraphQL<{ login: { accessToken: string } }>(urls.gateway, 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }', {
      variables: { input: { email: 'live_ada@example.com', password: 'correct horse battery' } },
    });
    const running = wsSubscribe(wsClient(urls.ws, login.accessToken), `subscription { myOrderUpdates { id } }`);
    // Let the subscription start before the logout it must learn of.
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 500));
    await requestGraphQL(urls.gateway, 'mutation { logout }', { token: login.accessToken });
    await eventually(() => running.finished, 'the subscription to end', 10_000);
    const last = running.results.at(-1);
    assert.equal(last?.errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED', `${JSON.stringify(running.results)} ${String(running.failure)} ${JSON.stringify(running.failure)}`);
  });

  it('kill -9 of the orders subgraph right after its commits, and of the worker right after a tick commits, loses no event (both gateways)', async () => {
    const kitchenQuery = `subscription { kitchenUpdates { id status } }`;
    const onFirst = wsSubscribe(wsClient(urls.ws, managerToken), kitchenQuery);
    const onSecond = wsSubscribe(wsClient(urls.ws2, managerToken), kitchenQuery);
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 500));
    const restart = async (name: string) => {
      process.kill(system.services.get(name)!.pid!, 'SIGKILL');
      await system.services.get(name)!.whenExited();
      const restarted = system.service(name);
      restarted.start();
      await restarted.waitUntilReady(READY_TIMEOUT_MS);
    };

    // The orders subgraph dies right after its commits; the worker's relay still publishes them.
    const placedBeforeOrdersDie = [await placeOrder(customerToken), await placeOrder(customerToken)];
    await restart('orders');

    // The worker dies the moment its tick has committed a move (seen in the database), before or
    // while its relay publishes it; the next worker's relay resumes from its cursor.
    const placedBeforeWorkerDies = [await placeOrder(customerToken), await placeOrder(customerToken)];
    let moved = false;
    const database = new pg.Client({ connectionString: system.ordersDb.url });
    await database.connect();
    try {
      await eventually(() => moved, 'the tick to commit a move', 30_000, async () => {
        const { rows } = await database.query<{ n: number }>("SELECT count(*)::int AS n FROM orders WHERE id = ANY($1) AND status <> 'WAITING'", [placedBeforeWorkerDies]);
        moved = rows[0]!.n > 0;
      }, 5);
    } finally {
      await database.end();
    }
    await restart('worker');

    const placed = [...placedBeforeOrdersDie, ...placedBeforeWorkerDies];
    for (const [name, feed] of [['gateway', onFirst], ['gateway2', onSecond]] as const) {
      const eventsOf = (id: string) => feed.results.filter((result) => (result.data?.['kitchenUpdates'] as OrderView | undefined)?.id === id);
      await eventually(() => placed.every((id) => eventsOf(id).length >= 3), `${name}: three events for each order`, 90_000);
      for (const id of placed) {
        const events = eventsOf(id);
        assert.equal(events.length, 3, `${name}: ${JSON.stringify(events)}`);
        assert.equal((events.at(-1)!.data!['kitchenUpdates'] as OrderView).status, 'DONE');
      }
      assert.ok(feed.results.every((result) => result.errors === undefined), JSON.stringify(feed.results.filter((result) => result.errors)));
    }
  });

  it('answers an Accept header no transport serves with 406, and a subscription in a plain JSON POST with a clear 400', async () => {
    const query = `subscription { menuUpdates { id } }`;
    const refused = await fetch(urls.gateway, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/html' }, body: JSON.stringify({ query }) });
    assert.equal(refused.status, 406);
    assert.match(await refused.text(), /text\/event-stream/);
    const plain = await fetch(urls.gateway, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    assert.equal(plain.status, 400);
    assert.match(await plain.text(), /cannot carry a subscription/);
  });

  it('an SSE client resumes after Last-Event-ID; menuUpdates starts with the current menu', async () => {
    const controller = new AbortController();
    const response = await fetch(urls.gateway, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${customerToken}` },
      body: JSON.stringify({ query: 'subscription { myOrderUpdates { id status } }' }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    const orderId = await placeOrder(customerToken);
    let text = '';
    while (!/id: \S+\nevent: next/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    const firstId = /id: (\S+)\nevent: next/.exec(text)![1]!;
    controller.abort();
    // Later events happened while disconnected; the reconnect replays them.
    await new Promise((resolveDelay) => setTimeout(resolveDelay, STAGE_SECONDS * 2000 + 1500));
    const resumed = await fetch(urls.gateway, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${customerToken}`, 'last-event-id': firstId },
      body: JSON.stringify({ query: 'subscription { myOrderUpdates { id status } }' }),
      signal: AbortSignal.timeout(10_000),
    });
    const resumedReader = resumed.body!.getReader();
    let replay = '';
    while (!replay.includes('"DONE"')) replay += new TextDecoder().decode((await resumedReader.read()).value);
    await resumedReader.cancel();
    assert.ok(replay.includes(orderId));

    const menu = await fetch(urls.gateway, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ query: 'subscription { menuUpdates { id name } }' }) });
    const menuReader = menu.body!.getReader();
    let first = '';
    while (!first.includes('event: next')) first += new TextDecoder().decode((await menuReader.read()).value);
    await menuReader.cancel();
    assert.match(first, /Live soup/);
  });
});
