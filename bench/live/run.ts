/**
 * `npm run bench:live`: N subscribers of `orderUpdated` with `customer { username }` on one
 * gateway process (graphql-ws, 100 subscriptions per connection), spread over N/10 orders of one
 * customer; the worker's tick moves every order WAITING → IN_PROGRESS → DONE while they listen.
 * Prints delivered/expected events, p50/p99 from commit (the order's updatedAt) to client,
 * gateway RSS per 1,000 idle subscribers, and gateway CPU per delivered event.
 *
 * Hive Gateway is not beside it: it can only relay subscriptions that subgraphs serve, and ours
 * serve none (the gateway feeds them from the live-events stream).
 *
 * Sizes: BENCH_LIVE_SIZES=1000,10000 (default 1000). Real processes, a scratch database pair and
 * Redis prefix on the machine's PostgreSQL and Redis, removed at the end. Not a test.
 */
import { readFileSync } from 'node:fs';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { requestGraphQL } from '../../scripts/lib/graphql-client.js';
import { REPO_ROOT } from '../../scripts/lib/service-process.js';
import { createSystem } from '../../system-tests/test/support/system.js';
import { execFileSync } from 'node:child_process';

const SIZES = (process.env['BENCH_LIVE_SIZES'] ?? '1000').split(',').map((size) => Number(size.trim()));
const SUBSCRIBERS_PER_ORDER = 10;
const SUBSCRIPTIONS_PER_CONNECTION = 100;
const SUBSCRIPTION = 'subscription($id: ID!) { orderUpdated(id: $id) { id status updatedAt customer { username } } }';

interface Figures {
  size: number;
  delivered: number;
  expected: number;
  p50: number;
  p99: number;
  rssPerThousandMb: number;
  cpuMsPerEvent: number;
  subscribeSeconds: number;
}

const sleep = (ms: number) => new Promise((resolveDelay) => setTimeout(resolveDelay, ms));

function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((entry) => entry.startsWith('VmRSS:'))!;
  return Number(line.replace(/\D+/g, '')) * 1024;
}

/** utime + stime of a process, in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(size: number): Promise<Figures> {
  // Orders wait long enough for every subscriber to be in place before the tick moves them.
  const stageSeconds = Math.max(20, Math.ceil(size / 250));
  const system = await createSystem('bench-live', {
    LOG_LEVEL: 'warn',
    ORDER_TICK_MS: '250',
    ORDER_STAGE_SECONDS: String(stageSeconds),
    GATEWAY_MAX_SUBSCRIPTIONS: String(size * 2),
  });
  const { env, ports, graphqlUrl: url } = system;
  const clients: Client[] = [];
  try {
    await system.start();
    const { register } = await requestGraphQL<{ register: { accessToken: string } }>(url, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }', {
      variables: { input: { username: 'bench_live', email: 'bench.live@example.com', password: 'correct horse battery' } },
    });
    execFileSync('npm', ['run', '--silent', 'create-manager', '--', '--email', 'boss.bench@example.com', '--password', 'manager password 1', '--username', 'bench_boss'], { cwd: REPO_ROOT, env, stdio: 'pipe' });
    const { login } = await requestGraphQL<{ login: { accessToken: string } }>(url, 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }', {
      variables: { input: { email: 'boss.bench@example.com', password: 'manager password 1' } },
    });
    const { createDish } = await requestGraphQL<{ createDish: { id: string } }>(url, 'mutation($input: CreateDishInput!) { createDish(input: $input) { id } }', {
      token: login.accessToken,
      variables: { input: { name: 'Bench soup', price: '1.00', quantity: 1_000_000 } },
    });
    const orderIds: string[] = [];
    for (let index = 0; index < size / SUBSCRIBERS_PER_ORDER; index += 1) {
      const { placeOrder } = await requestGraphQL<{ placeOrder: { id: string } }>(url, 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }', {
        token: register.accessToken,
        variables: { input: { items: [{ dishId: createDish.id, quantity: 1 }] } },
      });
      orderIds.push(placeOrder.id);
    }
    await sleep(1000);
    const gatewayPid = system.services.get('gateway')!.pid!;
    const rssBefore = rssBytes(gatewayPid);
    const latencies: number[] = [];
    let delivered = 0;
    let initial = 0;
    const started = Date.now();
    for (let connection = 0; connection < size / SUBSCRIPTIONS_PER_CONNECTION; connection += 1) {
      const client = createClient({ url: `ws://127.0.0.1:${ports['gateway']}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${register.accessToken}` }, retryAttempts: 0, lazy: false });
      clients.push(client);
      for (let slot = 0; slot < SUBSCRIPTIONS_PER_CONNECTION; slot += 1) {
        const orderId = orderIds[(connection * SUBSCRIPTIONS_PER_CONNECTION + slot) % orderIds.length]!;
        let first = true;
        client.subscribe(
          { query: SUBSCRIPTION, variables: { id: orderId } },
          {
            next: (result) => {
              if (first) {
                first = false;
                initial += 1;
                return;
              }
              const order = (result.data as { orderUpdated?: { status: string; updatedAt: string } } | undefined)?.orderUpdated;
              // A placement's own WAITING event may land after its subscribers: only the tick's moves count.
              if (!order || order.status === 'WAITING') return;
              delivered += 1;
              latencies.push(Date.now() - Date.parse(order.updatedAt));
            },
            error: () => {},
            complete: () => {},
          },
        );
      }
    }
    while (initial < size && Date.now() - started < stageSeconds * 1000) await sleep(100);
    const subscribeSeconds = (Date.now() - started) / 1000;
    await sleep(1000);
    const rssIdle = rssBytes(gatewayPid);
    const cpuBefore = cpuMs(gatewayPid);
    const expected = size * 2; // IN_PROGRESS and DONE for each subscriber
    const deadline = Date.now() + (stageSeconds * 2 + 60) * 1000;
    while (delivered < expected && Date.now() < deadline) await sleep(200);
    await sleep(500);
    const cpuAfter = cpuMs(gatewayPid);
    latencies.sort((a, b) => a - b);
    return {
      size,
      delivered,
      expected,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      rssPerThousandMb: ((rssIdle - rssBefore) / (size / 1000)) / 1024 / 1024,
      cpuMsPerEvent: (cpuAfter - cpuBefore) / Math.max(1, delivered),
      subscribeSeconds,
    };
  } finally {
    for (const client of clients) await client.dispose();
    await system.stop();
  }
}

const rows: Figures[] = [];
for (const size of SIZES) {
  process.stdout.write(`measuring ${size} subscribers…\n`);
  rows.push(await measure(size));
}
const table = [
  ['subscribers', 'delivered/expected', 'p50 commit→client (ms)', 'p99 (ms)', 'gateway RSS per 1,000 idle (MB)', 'gateway CPU per event (ms)', 'all subscribed in (s)'],
  ...rows.map((row) => [
    row.size.toLocaleString('en-US'),
    `${row.delivered}/${row.expected}`,
    String(row.p50),
    String(row.p99),
    row.rssPerThousandMb.toFixed(1),
    row.cpuMsPerEvent.toFixed(3),
    row.subscribeSeconds.toFixed(1),
  ]),
];
const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
for (const row of table) process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}\n`);
process.stdout.write('Hive Gateway: cannot subscribe here: the subgraphs serve no Subscription (this gateway feeds subscriptions from the Redis stream live:events), so there is no Hive column.\n');
