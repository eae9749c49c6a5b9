/**
 * Fault: the orders database goes silent for 8 s (packets dropped, sockets kept open) under a
 * steady stream of placeOrders through the real gateway. What clients see, whether any order
 * commits after its client was told it failed, and how long until placeOrder works again.
 * The figures are printed (one `blackhole:` line) so they can be quoted. Run by `npm run test:faults`.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { CuttableProxy } from '@dishpatch/shared/testing';
import { requestGraphQL } from '../../../scripts/lib/graphql-client.js';
import { createSystem, type TestSystem } from '../support/system.js';

const BLACKHOLE_MS = 8000;
/** How long after the load stops the test keeps watching for late commits (the old code committed 30-40 s late). */
const SETTLE_MS = Number(process.env['FAULT_SETTLE_SECONDS'] ?? 15) * 1000;
const CLIENTS = 16;

const PLACE_ORDER = `mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`;

interface Attempt {
  tag: string;
  startedAt: number;
  answeredAt: number;
  outcome: string;
  orderId?: string;
  /** For a failure: whether its order was already in the database when the client got the failure. */
  committedAtFailure?: boolean;
}

describe('the orders database goes silent for 8 s', () => {
  let system: TestSystem;
  let proxy: CuttableProxy;
  let direct: pg.Client;
  let graphqlUrl = '';

  before(async () => {
    system = await createSystem('fault');
    const ordersTarget = new URL(system.ordersDb.url);
    proxy = await new CuttableProxy({ host: ordersTarget.hostname, port: Number(ordersTarget.port || 5432) }).start();
    const proxiedOrdersUrl = new URL(system.ordersDb.url);
    proxiedOrdersUrl.port = String(proxy.port);
    system.env['ORDERS_DATABASE_URL'] = proxiedOrdersUrl.toString();
    await system.start(['auth', 'orders', 'gateway']);
    graphqlUrl = system.graphqlUrl;
    direct = new pg.Client({ connectionString: system.ordersDb.url });
    await direct.connect();
  });

  after(async () => {
    await direct?.end();
    await system?.stop();
    await proxy?.stop();
  });

  it('no order commits after its client was told it failed, failures are SERVICE_UNAVAILABLE, and placeOrder works again soon after', async () => {
    const registered = await requestGraphQL<{ register: { accessToken: string } }>(
      graphqlUrl,
      `mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }`,
      { variables: { input: { username: 'blackhole_customer', email: 'blackhole@example.com', password: 'correct horse battery' } } },
    );
    const token = registered.register.accessToken;
    const [dish] = (await direct.query(`INSERT INTO dishes (name, price, quantity) VALUES ('Soup', 5.00, 1000000) RETURNING id`)).rows as Array<{ id: string }>;

    const attempts: Attempt[] = [];
    let stopping = false;
    const orderWithTag = async (tag: string) => (await direct.query(`SELECT id FROM orders WHERE special_requests = $1`, [tag])).rowCount === 1;

    async function client(): Promise<void> {
      while (!stopping) {
        const tag = `fault-${randomUUID()}`;
        const startedAt = Date.now();
        let outcome = 'ok';
        let orderId: string | undefined;
        try {
          const response = await fetch(graphqlUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query: PLACE_ORDER, variables: { input: { items: [{ dishId: dish!.id, quantity: 1 }], specialRequests: tag, idempotencyKey: tag } } }),
            signal: AbortSignal.timeout(30_000),
          });
          const body = (await response.json()) as { data?: { placeOrder?: { id: string } } | null; errors?: Array<{ extensions?: { code?: string } }> };
          if (body.errors?.length) outcome = body.errors.map((error) => error.extensions?.code ?? 'NO_CODE').join('+');
          else if (response.status >= 500) outcome = `HTTP_${response.status}`;
          orderId = body.data?.placeOrder?.id;
        } catch (error) {
          outcome = `CLIENT_${(error as Error).name}`;
        }
        const attempt: Attempt = { tag, startedAt, answeredAt: Date.now(), outcome, ...(orderId ? { orderId } : {}) };
        if (outcome !== 'ok') attempt.committedAtFailure = await orderWithTag(tag);
        attempts.push(attempt);
        if (outcome !== 'ok') await sleep(100);
      }
    }

    const load = Array.from({ length: CLIENTS }, () => client());
    await sleep(2000);
    const blackholedAt = Date.now();
    proxy.blackhole();
    await sleep(BLACKHOLE_MS);
    // Packets sent during the silence arrive at their senders' next TCP retransmission, as on a real network.
    proxy.restore({ retransmission: { initialRtoMs: 200 } });
    const restoredAt = Date.now();
    // Keep the load on until placeOrder has worked again for a while (or 40 s have gone by).
    const recovered = () => attempts.some((attempt) => attempt.outcome === 'ok' && attempt.startedAt >= restoredAt && attempt.answeredAt >= restoredAt + 2000);
    while (!recovered() && Date.now() - restoredAt < 40_000) await sleep(200);
    stopping = true;
    await Promise.all(load);
    await sleep(SETTLE_MS);

    const inDatabase = new Set(
      ((await direct.query(`SELECT special_requests AS tag FROM orders WHERE special_requests LIKE 'fault-%'`)).rows as Array<{ tag: string }>).map((row) => row.tag),
    );
    const failures = attempts.filter((attempt) => attempt.outcome !== 'ok');
    const committedAfterFailure = failures.filter((attempt) => !attempt.committedAtFailure && inDatabase.has(attempt.tag));
    const committedBeforeFailure = failures.filter((attempt) => attempt.committedAtFailure);
    const acknowledged = attempts.filter((attempt) => attempt.outcome === 'ok');
    const lostAcknowledged = acknowledged.filter((attempt) => !inDatabase.has(attempt.tag));
    const firstRecovered = attempts
      .filter((attempt) => attempt.outcome === 'ok' && attempt.startedAt >= restoredAt)
      .sort((a, b) => a.answeredAt - b.answeredAt)[0];
    const recoverySeconds = firstRecovered ? (firstRecovered.answeredAt - restoredAt) / 1000 : Number.POSITIVE_INFINITY;
    const byCode: Record<string, number> = {};
    for (const attempt of attempts) byCode[attempt.outcome] = (byCode[attempt.outcome] ?? 0) + 1;
    const slowestFailureSeconds = Math.max(0, ...failures.map((attempt) => (attempt.answeredAt - attempt.startedAt) / 1000));
    const duringBlackhole = attempts.filter((attempt) => attempt.startedAt >= blackholedAt && attempt.startedAt < restoredAt).length;

    console.log(
      `blackhole: ${BLACKHOLE_MS / 1000} s silent database under ${CLIENTS} placeOrder clients: ${attempts.length} placeOrders (${duringBlackhole} started while silent); ` +
        `answers by code ${JSON.stringify(byCode)}; slowest failure ${slowestFailureSeconds.toFixed(1)} s; ` +
        `orders committed after the client got a failure: ${committedAfterFailure.length}; failures whose order had already committed (answer lost; the idempotency key recovers them): ${committedBeforeFailure.length}; ` +
        `acknowledged orders missing: ${lostAcknowledged.length}; placeOrder works again ${recoverySeconds.toFixed(1)} s after the database came back`,
    );

    assert.equal(committedAfterFailure.length, 0, `committed after a reported failure: ${committedAfterFailure.map((attempt) => attempt.tag).join(', ')}`);
    assert.equal(lostAcknowledged.length, 0);
    assert.ok(
      failures.every((attempt) => attempt.outcome === 'SERVICE_UNAVAILABLE'),
      `every failure is SERVICE_UNAVAILABLE: ${JSON.stringify(byCode)}`,
    );
    assert.ok(recoverySeconds < 5, `placeOrder works again within 5 s of the database coming back (took ${recoverySeconds} s)`);

    // A client that retries its failed checkouts with the same key gets each order at most once.
    const retried = await Promise.all(
      failures.slice(0, 10).map(async (attempt) => {
        const data = await requestGraphQL<{ placeOrder: { id: string } }>(graphqlUrl, PLACE_ORDER, {
          token,
          variables: { input: { items: [{ dishId: dish!.id, quantity: 1 }], specialRequests: attempt.tag, idempotencyKey: attempt.tag } },
        });
        return data.placeOrder.id;
      }),
    );
    const perTag = (await direct.query(`SELECT count(*)::int AS n FROM orders WHERE special_requests = ANY($1) GROUP BY special_requests HAVING count(*) > 1`, [
      failures.slice(0, 10).map((attempt) => attempt.tag),
    ])).rowCount;
    assert.equal(new Set(retried).size, retried.length);
    assert.equal(perTag, 0);
  });
});
