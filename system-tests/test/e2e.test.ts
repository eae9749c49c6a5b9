/**
 * End to end: the real auth, orders, worker and gateway processes (as `npm start` runs them),
 * against fresh databases on the test PostgreSQL and a fresh Redis prefix, driven only through
 * the gateway with the operations in examples/.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GraphQLRequestError, requestGraphQL } from '../../scripts/lib/graphql-client.js';
import { REPO_ROOT, type ServiceProcess } from '../../scripts/lib/service-process.js';
import { createSystem, type TestSystem } from './support/system.js';

const MAX_LOGIN_FAILURES_PER_ADDRESS = 5;
const example = (name: string) => readFileSync(resolve(REPO_ROOT, 'examples', `${name}.graphql`), 'utf8');

async function expectError(promise: Promise<unknown>, code: string): Promise<GraphQLRequestError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GraphQLRequestError, String(error));
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected a ${code} error`);
}

/** `npm run create-manager -- …` from the repository root, as the README says. */
async function createManager(env: NodeJS.ProcessEnv, email: string, password: string): Promise<string> {
  const output: string[] = [];
  const code = await new Promise<number | null>((resolveExit, rejectSpawn) => {
    const child = spawn('npm', ['run', '--silent', 'create-manager', '--', '--email', email, '--password', password, '--username', 'chef_boss'], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
    child.once('error', rejectSpawn);
    child.once('exit', resolveExit);
  });
  assert.equal(code, 0, output.join(''));
  return output.join('');
}

describe('the federation end to end, through the gateway only', () => {
  let system: TestSystem;
  let env: NodeJS.ProcessEnv;
  let graphqlUrl = '';
  let gatewayBase = '';
  let gatewayMetricsBase = '';
  let services: Map<string, ServiceProcess>;

  before(async () => {
    system = await createSystem('e2e', {
      // info, so that the request-id test below can find a subgraph's line for one request.
      LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'info',
      LOGIN_MAX_FAILURES_PER_ADDRESS: String(MAX_LOGIN_FAILURES_PER_ADDRESS),
      ORDER_TICK_MS: '200',
      ORDER_STAGE_SECONDS: '1',
    });
    ({ env, services, gatewayBase, graphqlUrl } = system);
    gatewayMetricsBase = `http://127.0.0.1:${system.ports['metrics']}`;
    await system.start();
  });

  after(async () => {
    await system?.stop();
  });

  const customer = { username: 'ada_e2e', email: 'ada.e2e@example.com', password: 'correct horse battery' };
  const manager = { email: 'boss.e2e@example.com', password: 'manager password 1' };
  let customerToken = '';
  let customerId = '';
  let managerToken = '';
  const dishIds: string[] = [];
  let orderId = '';

  it('registers a customer', async () => {
    const data = await requestGraphQL<{ register: { accessToken: string; user: { id: string; username: string; role: string } } }>(
      graphqlUrl,
      example('register'),
      { variables: { input: customer } },
    );
    assert.equal(data.register.user.username, customer.username);
    assert.equal(data.register.user.role, 'CUSTOMER');
    customerToken = data.register.accessToken;
    customerId = data.register.user.id;
  });

  it('bootstraps a manager with npm run create-manager, who then signs in', async () => {
    await createManager(env, manager.email, manager.password);
    const data = await requestGraphQL<{ login: { accessToken: string; user: { role: string } } }>(graphqlUrl, example('login'), {
      variables: { input: manager },
    });
    assert.equal(data.login.user.role, 'MANAGER');
    managerToken = data.login.accessToken;
  });

  it("carries the gateway's request id into the subgraph's log lines for that request", async () => {
    const requestId = `e2e-${Date.now().toString(36)}`;
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ query: example('login'), variables: { input: { email: customer.email, password: customer.password } } }),
    });
    assert.equal(response.headers.get('x-request-id'), requestId);
    assert.ok(((await response.json()) as { data?: { login?: unknown } }).data?.login);
    // The line travels through a pipe of its own: give it a moment to arrive.
    const auth = services.get('auth')!;
    const deadline = Date.now() + 5_000;
    while (!auth.recentLines.some((line) => line.includes(requestId)) && Date.now() < deadline) {
      await new Promise((resolveDelay) => setTimeout(resolveDelay, 50));
    }
    assert.ok(auth.recentLines.some((line) => line.includes(requestId)), `auth logged nothing with ${requestId}:\n${auth.recentLines.join('\n')}`);
  });

  it('serves Prometheus /metrics on its metrics port, not on the public GraphQL port', async () => {
    assert.equal((await fetch(`${gatewayBase}/metrics`)).status, 404);
    const metrics = await fetch(`${gatewayMetricsBase}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /http_request_duration_seconds_count\{[^}]*route="\/graphql"/);
  });

  it('forwards the Authorization header: each subgraph knows who asks', async () => {
    const me = await requestGraphQL<{ me: { username: string; role: string } | null }>(graphqlUrl, '{ me { username role } }', { token: customerToken });
    assert.deepEqual(me.me, { username: customer.username, role: 'CUSTOMER' });
    const anonymous = await requestGraphQL<{ me: null }>(graphqlUrl, '{ me { username } }');
    assert.equal(anonymous.me, null);
    await expectError(requestGraphQL(graphqlUrl, example('manager-add-dish'), { token: customerToken, variables: { input: { name: 'x', price: '1.00', quantity: 1 } } }), 'FORBIDDEN');
    await expectError(requestGraphQL(graphqlUrl, example('manager-list-users'), { token: customerToken }), 'FORBIDDEN');
    const users = await requestGraphQL<{ users: { edges: Array<{ node: { id: string } }> } }>(graphqlUrl, example('manager-list-users'), { token: managerToken });
    assert.ok(users.users.edges.some((edge) => edge.node.id === customerId));
  });

  it('lets the manager add dishes that then show on the menu', async () => {
    for (const input of [
      { name: 'Margherita', description: 'Tomato, mozzarella', price: '9.50', quantity: 10 },
      { name: 'Tiramisù', price: '6.25', quantity: 5 },
    ]) {
      const data = await requestGraphQL<{ createDish: { id: string; price: string } }>(graphqlUrl, example('manager-add-dish'), {
        token: managerToken,
        variables: { input },
      });
      assert.equal(data.createDish.price, input.price);
      dishIds.push(data.createDish.id);
    }
    const menu = await requestGraphQL<{ menu: Array<{ id: string; name: string }> }>(graphqlUrl, example('menu'));
    assert.deepEqual(menu.menu.map((dish) => dish.id).sort(), [...dishIds].sort());
  });

  it('places an order as the customer, and reads it back with its customer resolved across the federation', async () => {
    const placed = await requestGraphQL<{ placeOrder: { id: string; status: string; total: string } }>(graphqlUrl, example('place-order'), {
      token: customerToken,
      variables: { input: { items: [{ dishId: dishIds[0], quantity: 2 }, { dishId: dishIds[1], quantity: 1 }], specialRequests: 'No basil' } },
    });
    assert.equal(placed.placeOrder.status, 'WAITING');
    assert.equal(placed.placeOrder.total, '25.25');
    orderId = placed.placeOrder.id;
    const followed = await requestGraphQL<{ order: { customer: { username: string }; statusHistory: Array<{ status: string }> } }>(
      graphqlUrl,
      example('follow-order'),
      { token: customerToken, variables: { id: orderId } },
    );
    assert.equal(followed.order.customer.username, customer.username);
    assert.equal(followed.order.statusHistory[0]?.status, 'WAITING');
  });

  it('sees the worker move the order to DONE, with its whole history', async () => {
    const deadline = Date.now() + 60_000;
    let order: { status: string; statusHistory: Array<{ status: string }> } | undefined;
    while (Date.now() < deadline) {
      ({ order } = await requestGraphQL<{ order: NonNullable<typeof order> }>(graphqlUrl, example('follow-order'), {
        token: customerToken,
        variables: { id: orderId },
      }));
      if (order.status === 'DONE') break;
      await new Promise((resolveDelay) => setTimeout(resolveDelay, 200));
    }
    assert.equal(order?.status, 'DONE');
    assert.deepEqual(order?.statusHistory.map((change) => change.status), ['WAITING', 'IN_PROGRESS', 'DONE']);
  });

  it('lets the manager promote the customer', async () => {
    const data = await requestGraphQL<{ promoteToManager: { role: string } }>(graphqlUrl, example('manager-promote'), {
      token: managerToken,
      variables: { userId: customerId },
    });
    assert.equal(data.promoteToManager.role, 'MANAGER');
  });

  const STAFF_PAGE = 'query StaffOrderPage { orders(first: 50) { edges { node { id status customer { username } } } } }';
  let deletedCustomerOrderId = '';

  it('serves a staff page of orders whose customer was deleted in auth: that customer is null, the rest is there', async () => {
    const gone = { username: 'gone_e2e', email: 'gone.e2e@example.com', password: 'correct horse battery' };
    const registered = await requestGraphQL<{ register: { accessToken: string; user: { id: string } } }>(graphqlUrl, example('register'), {
      variables: { input: gone },
    });
    const placed = await requestGraphQL<{ placeOrder: { id: string } }>(graphqlUrl, example('place-order'), {
      token: registered.register.accessToken,
      variables: { input: { items: [{ dishId: dishIds[1], quantity: 1 }] } },
    });
    deletedCustomerOrderId = placed.placeOrder.id;
    execFileSync('psql', [system.authDb.url, '-v', 'ON_ERROR_STOP=1', '-c', `DELETE FROM users WHERE id = '${registered.register.user.id}'`], { stdio: 'pipe' });

    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${managerToken}` },
      body: JSON.stringify({ query: STAFF_PAGE }),
    });
    const body = (await response.json()) as {
      data: { orders: { edges: Array<{ node: { id: string; customer: { username: string } | null } }> } } | null;
      errors?: unknown[];
    };
    assert.ok(body.data, `the page is there: ${JSON.stringify(body)}`);
    const customers = new Map(body.data.orders.edges.map((edge) => [edge.node.id, edge.node.customer]));
    assert.equal(customers.get(deletedCustomerOrderId), null, 'the deleted customer is null');
    assert.deepEqual(customers.get(orderId), { username: customer.username }, 'the other customers are resolved');
    // A deleted account is not a failure: an error here would make Apollo Client (errorPolicy "none") drop the whole page, forever.
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  });

  // Rate-limits this machine's logins for the rest of the file: keep it after every test that signs in.
  it('counts login failures by the address the gateway saw, whatever x-forwarded-for a client sends', async () => {
    const attempt = async (index: number) => {
      const response = await fetch(graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${index}` },
        body: JSON.stringify({ query: example('login'), variables: { input: { email: `nobody${index}@example.com`, password: 'not a password' } } }),
      });
      const body = (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
      return body.errors?.[0]?.extensions?.code;
    };
    for (let index = 0; index < MAX_LOGIN_FAILURES_PER_ADDRESS; index++) assert.equal(await attempt(index), 'UNAUTHENTICATED');
    assert.equal(await attempt(MAX_LOGIN_FAILURES_PER_ADDRESS), 'RATE_LIMITED', 'a new claimed address does not reset the count');
  });

  it('with the auth subgraph killed: the menu still works, me gets a clear error, /ready names auth', async () => {
    await services.get('auth')!.stop(10_000);
    const menu = await requestGraphQL<{ menu: Array<{ id: string }> }>(graphqlUrl, example('menu'));
    assert.equal(menu.menu.length, 2);
    const error = await expectError(requestGraphQL(graphqlUrl, '{ me { username } }', { token: customerToken }), 'SERVICE_UNAVAILABLE');
    assert.equal(error.errors[0]?.extensions?.['serviceName'], 'auth');
    const ready = await fetch(`${gatewayBase}/ready`);
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { status: 'unavailable', checks: { auth: 'unavailable', orders: 'ok' } });
    assert.equal((await fetch(`${gatewayBase}/health`)).status, 200);
  });

  it('with the auth subgraph down: a staff page of orders keeps its orders, each customer null with a SERVICE_UNAVAILABLE at its path', async () => {
    const requestId = `e2e-partial-${Date.now().toString(36)}`;
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${managerToken}`, 'x-request-id': requestId },
      body: JSON.stringify({ query: STAFF_PAGE, operationName: 'StaffOrderPage' }),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as {
      data: { orders: { edges: Array<{ node: { id: string; status: string; customer: unknown } }> } } | null;
      errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
    };
    assert.ok(body.data, `the page is there: ${JSON.stringify(body)}`);
    const edges = body.data.orders.edges;
    assert.deepEqual(edges.map((edge) => edge.node.id).sort(), [orderId, deletedCustomerOrderId].sort());
    assert.ok(edges.every((edge) => edge.node.customer === null && typeof edge.node.status === 'string'));
    const errors = body.errors ?? [];
    assert.ok(errors.length > 0, 'the missing customers are explained');
    for (const error of errors) {
      assert.equal(error.extensions?.['code'], 'SERVICE_UNAVAILABLE');
      assert.equal(error.extensions?.['serviceName'], 'auth');
    }
    // Every customer that is null because auth is down has an error pointing at it.
    const paths = errors.map((error) => JSON.stringify(error.path));
    for (const index of edges.keys()) {
      assert.ok(paths.includes(JSON.stringify(['orders', 'edges', index, 'node', 'customer'])), `no error at edge ${index}: ${paths.join(' ')}`);
    }

    // And the gateway says so in its log: the service, the operation and the request id.
    const gateway = services.get('gateway')!;
    const logged = () => gateway.recentLines.find((line) => line.includes(requestId) && line.includes('SERVICE_UNAVAILABLE'));
    const deadline = Date.now() + 5_000;
    while (!logged() && Date.now() < deadline) await new Promise((resolveDelay) => setTimeout(resolveDelay, 50));
    const line = JSON.parse(logged() ?? assert.fail(`the gateway logged no SERVICE_UNAVAILABLE for ${requestId}:\n${gateway.recentLines.join('\n')}`)) as Record<string, unknown>;
    assert.equal(line['serviceName'], 'auth');
    assert.equal(line['operationName'], 'StaffOrderPage');
    assert.equal(line['requestId'], requestId);
  });
});
