/**
 * `npm run bench`: the real stack (auth and orders subgraphs, our gateway, Hive Gateway as the
 * peer) on the machine's PostgreSQL and Redis with a seeded dataset, loaded with autocannon,
 * each pair of sides alternating in the same run. Prints a table and, last, the throughput
 * ratio of our gateway to Hive Gateway on the federated staff query. Not a test: it asserts
 * no timing, only that both gateways answer the same data and that stock adds up.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { GATEWAY_SECRET_HEADER, generateSharedSecret } from '@dishpatch/shared/http';
import { createTestDatabase, createTestRedis, TEST_ADMIN_DATABASE_URL, type TestDatabase, type TestRedis } from '@dishpatch/shared/testing';
import { compareAlternating, type Comparison, type RoundResult } from './load.js';
import { StackCpuMeter, type CpuPerRequest } from './process-cpu.js';
import { findFreePort } from '../../scripts/lib/ports.js';
import { requestGraphQL } from '../../scripts/lib/graphql-client.js';
import { ServiceProcess, TSX_ENTRY } from '../../scripts/lib/service-process.js';
import { chefEmails, dishIds, readStockLedger, SEED, seedOrders, seedUsers } from './seed.js';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const HIVE_FOLDER = 'bench/gateway/hive-gateway';
const HIVE_DIR = resolve(REPO_ROOT, HIVE_FOLDER);
const HIVE_BIN = join(HIVE_DIR, 'node_modules/@graphql-hive/gateway/dist/bin.js');
/** Migrations included; generous for a loaded machine. */
const START_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 10_000;

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}=${raw}: expected a positive integer`);
  return value;
}

const LOAD = {
  connections: intFromEnv('BENCH_CONNECTIONS', 32),
  seconds: intFromEnv('BENCH_SECONDS', 10),
  rounds: intFromEnv('BENCH_ROUNDS', 3),
  warmupSeconds: 3,
};
/** Processes per gateway, the same for both: our GATEWAY_WORKERS and Hive Gateway's `--fork`. */
const GATEWAY_PROCESSES = intFromEnv('BENCH_GATEWAY_PROCESSES', 1);
/** Federated requests sent one at a time while the databases' transaction counters are watched. */
const SQL_SAMPLE_REQUESTS = 100;
/** PostgreSQL 15 flushes a backend's statistics within 10 s of it going idle. */
const STATS_FLUSH_WAIT_MS = 11_000;
/** Which measurements to run, e.g. BENCH_ONLY=2 while iterating on the gateway; all by default. */
const ONLY = new Set((process.env['BENCH_ONLY'] ?? '1,1b,2,2b,3,4').split(',').map((part) => part.trim()));
/** When set, our gateway and both subgraphs run with `--cpu-prof` and write their profiles on exit, each into `<dir>/<workspace>`. */
const CPU_PROFILE_DIR = process.env['BENCH_CPU_PROF_DIR'];

/** How a service of ours is run: under the profiler when BENCH_CPU_PROF_DIR asks for it. */
function ourServiceArgs(workspace: string): string[] {
  return CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${resolve(CPU_PROFILE_DIR, workspace)}`, ...TSX_ENTRY] : TSX_ENTRY;
}

const MENU_QUERY = 'query Menu { menu { id name description price quantity isAvailable } }';
const STAFF_ORDERS_QUERY =
  'query StaffOrders { orders(first: 20) { edges { node { total status items { quantity dish { name price } } customer { username } } } } }';
const PLACE_ORDER_MUTATION = 'mutation Place($input: PlaceOrderInput!) { placeOrder(input: $input) { id status total } }';

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function ensureHiveGatewayInstalled(): void {
  if (existsSync(HIVE_BIN)) return;
  log('installing Hive Gateway into bench/gateway/hive-gateway (once; ~40 s, ~500 MB)…');
  const install = spawnSync('npm', ['ci', '--prefix', HIVE_DIR, '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (install.status !== 0) throw new Error(`npm ci --prefix ${HIVE_DIR} failed (${install.status ?? install.signal})`);
}

/** This run's gateway secret: the gateways send it, and so does the bench where it asks a subgraph directly. */
const SUBGRAPH_SECRET = generateSharedSecret();
const asGateway = { [GATEWAY_SECRET_HEADER]: SUBGRAPH_SECRET };

async function login(gatewayUrl: string, email: string): Promise<string> {
  const data = await requestGraphQL<Record<string, unknown>>(gatewayUrl, 'mutation Login($input: LoginInput!) { login(input: $input) { accessToken } }', {
    variables: { input: { email, password: SEED.password } },
  });
  return (data['login'] as { accessToken: string }).accessToken;
}

/** The committed supergraph with each subgraph's routing URL pointed at this run's ports (Hive Gateway reads URLs only from it). */
function withRoutingUrls(supergraphSdl: string, urls: Record<string, string>): string {
  return supergraphSdl.replace(/@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g, (whole, name: string) =>
    urls[name] === undefined ? whole : `@join__graph(name: "${name}", url: "${urls[name]}")`,
  );
}

/** Committed transactions (+ rollbacks) per database: outside explicit transactions, one per SQL statement. */
async function transactionCounts(databaseNames: string[]): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: TEST_ADMIN_DATABASE_URL });
  await client.connect();
  try {
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query<{ datname: string; transactions: string }>(
      'SELECT datname, xact_commit + xact_rollback AS transactions FROM pg_stat_database WHERE datname = ANY($1)',
      [databaseNames],
    );
    return new Map(rows.map((row) => [row.datname, Number(row.transactions)]));
  } finally {
    await client.end();
  }
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

interface SqlPerRequest {
  label: string;
  orders: number;
  auth: number;
}

/** Sends the federated query one at a time and reads how many transactions each database saw per request. */
async function measureSqlPerRequest(label: string, url: string, token: string, databases: { auth: string; orders: string }): Promise<SqlPerRequest> {
  await sleep(STATS_FLUSH_WAIT_MS);
  const before = await transactionCounts([databases.auth, databases.orders]);
  for (let i = 0; i < SQL_SAMPLE_REQUESTS; i += 1) await requestGraphQL(url, STAFF_ORDERS_QUERY, { token });
  await sleep(STATS_FLUSH_WAIT_MS);
  const after = await transactionCounts([databases.auth, databases.orders]);
  const perRequest = (name: string) => (after.get(name)! - before.get(name)!) / SQL_SAMPLE_REQUESTS;
  return { label, orders: perRequest(databases.orders), auth: perRequest(databases.auth) };
}

/** `all 9.10 = gateway 2.00 + auth 1.50 + …`: the stack's CPU per request and where it went. */
function describeStackCpu(cpu: CpuPerRequest): string {
  const parts = Object.entries(cpu).filter(([name, ms]) => name !== 'all' && ms >= 0.005);
  return `${cpu['all']!.toFixed(2)} = ${parts.map(([name, ms]) => `${name} ${ms.toFixed(2)}`).join(' + ')}`;
}

function describeRound(label: string, round: RoundResult): void {
  const calls = round.subgraphCallsPerRequest === undefined ? '' : `  subgraph calls/request ${round.subgraphCallsPerRequest.toFixed(2)}`;
  const cpu = round.cpuMsPerRequest === undefined ? '' : `  CPU ${round.cpuMsPerRequest.toFixed(2)} ms/request`;
  const stack = round.stackCpuMsPerRequest === undefined ? '' : `  all processes ${describeStackCpu(round.stackCpuMsPerRequest)}`;
  log(`  ${label.padEnd(34)} ${round.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${round.p50} ms  p99 ${round.p99} ms  failed ${round.failed}${calls}${cpu}${stack}`);
}

/** Requests to /graphql the subgraphs have answered so far, from their Prometheus metrics. */
function subgraphCallCounter(metricsUrls: string[]): () => Promise<number> {
  const graphqlCount = /^http_request_duration_seconds_count\{[^}]*route="\/graphql"[^}]*\} (\d+)/gm;
  return async () => {
    let total = 0;
    for (const url of metricsUrls) {
      const text = await (await fetch(url)).text();
      for (const match of text.matchAll(graphqlCount)) total += Number(match[1]);
    }
    return total;
  };
}

interface TableRow {
  measurement: string;
  comparison: Comparison;
  ratioLabel: string;
}

function formatTable(rows: TableRow[]): string {
  const lines = [
    `| measurement | side | req/s | p50 ms | p99 ms | failed | subgraph calls/req | CPU ms/req | all processes CPU ms/req | ratio |`,
    `| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |`,
  ];
  for (const row of rows) {
    const { a, b } = row.comparison;
    const ratio = (a.requestsPerSecond / b.requestsPerSecond).toFixed(2);
    for (const [index, side] of [a, b].entries()) {
      lines.push(
        `| ${index === 0 ? row.measurement : ''} | ${side.label} | ${side.requestsPerSecond.toFixed(0)} | ${side.p50} | ${side.p99} | ${side.failed} | ` +
          `${side.subgraphCallsPerRequest?.toFixed(2) ?? ''} | ${side.cpuMsPerRequest?.toFixed(2) ?? ''} | ` +
          `${side.stackCpuMsPerRequest?.['all']!.toFixed(2) ?? ''} | ${index === 0 ? `${row.ratioLabel} ${ratio}` : ''} |`,
      );
    }
  }
  return lines.join('\n');
}

/** Other work on the machine skews every figure; the load average says how much there was. */
function machineLoad(): string {
  return loadavg()
    .map((load) => load.toFixed(1))
    .join(' / ');
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = machineLoad();
  ensureHiveGatewayInstalled();

  const cleanups: Array<() => Promise<void>> = [];
  /** Every server started, whose last lines are printed if the run fails (they run silent). */
  const services: ServiceProcess[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log(`cleanup failed: ${String(error)}`);
      }
    }
  };
  const onSignal = () => {
    log('interrupted: stopping the stack and dropping the scratch databases');
    void cleanUp().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const workDir = await mkdtemp(join(tmpdir(), 'dishpatch-bench-'));
    cleanups.push(() => rm(workDir, { recursive: true, force: true }));
    const authDb: TestDatabase = await createTestDatabase('bench_auth');
    cleanups.push(() => authDb.drop());
    const ordersDb: TestDatabase = await createTestDatabase('bench_orders');
    cleanups.push(() => ordersDb.drop());
    const redis: TestRedis = createTestRedis('bench');
    cleanups.push(() => redis.cleanup());

    const [authPort, ordersPort, gatewayPort, hivePort] = [await findFreePort(), await findFreePort(), await findFreePort(), await findFreePort()];
    const subgraphUrls = { auth: `http://127.0.0.1:${authPort}/graphql`, orders: `http://127.0.0.1:${ordersPort}/graphql` };
    const common = { ...process.env, LOG_LEVEL: 'warn', REDIS_URL: redis.url, REDIS_PREFIX: redis.prefix, NODE_ENV: 'production', SUBGRAPH_SHARED_SECRET: SUBGRAPH_SECRET };
    /** Starts one server as `node <args>` (the PID is the server's), quiet unless it fails to start. */
    const launch = async (options: { name: string; workspace: string; nodeArgs?: string[]; env: NodeJS.ProcessEnv; readyUrl: string }) => {
      const service = new ServiceProcess({ ...options, color: 'gray', nameWidth: 0, output: 'silent' });
      services.push(service);
      cleanups.push(() => service.stop(STOP_GRACE_MS));
      service.start();
      await service.waitUntilReady(START_TIMEOUT_MS);
      if (service.pid === undefined) throw new Error(`${options.name} has no pid`);
      return { pid: service.pid };
    };

    log('starting the auth and orders subgraphs (they migrate their scratch databases)…');
    const [auth, orders] = await Promise.all([
      launch({
        name: 'auth subgraph',
        workspace: 'auth-subgraph',
        nodeArgs: ourServiceArgs('auth-subgraph'),
        env: { ...common, AUTH_PORT: String(authPort), AUTH_DATABASE_URL: authDb.url, AUTH_DATA_DIR: join(workDir, 'auth'), ACCESS_TOKEN_TTL_SECONDS: '3600' },
        readyUrl: `http://127.0.0.1:${authPort}/health`,
      }),
      launch({
        name: 'orders subgraph',
        workspace: 'orders-subgraph',
        nodeArgs: ourServiceArgs('orders-subgraph'),
        env: { ...common, ORDERS_PORT: String(ordersPort), ORDERS_DATABASE_URL: ordersDb.url, AUTH_JWKS_URL: `http://127.0.0.1:${authPort}/.well-known/jwks.json` },
        readyUrl: `http://127.0.0.1:${ordersPort}/health`,
      }),
    ]);

    const seeding = Date.now();
    const customerIds = await seedUsers(authDb.url);
    await seedOrders(ordersDb.url, customerIds);
    log(`seeded ${SEED.dishes} dishes, ${SEED.users} users, ${SEED.orders} orders in ${((Date.now() - seeding) / 1000).toFixed(1)} s`);

    const supergraphPath = join(workDir, 'supergraph.graphql');
    await writeFile(supergraphPath, withRoutingUrls(await readFile(join(REPO_ROOT, 'supergraph.graphql'), 'utf8'), subgraphUrls));
    log(`starting our gateway and Hive Gateway (${GATEWAY_PROCESSES} process${GATEWAY_PROCESSES === 1 ? '' : 'es'} each)…`);
    const [gateway, hive] = await Promise.all([
      launch({
        name: 'gateway',
        workspace: 'gateway',
        nodeArgs: ourServiceArgs('gateway'),
        env: {
          ...common,
          GATEWAY_PORT: String(gatewayPort),
          GATEWAY_WORKERS: String(GATEWAY_PROCESSES),
          AUTH_SUBGRAPH_URL: subgraphUrls.auth,
          ORDERS_SUBGRAPH_URL: subgraphUrls.orders,
        },
        readyUrl: `http://127.0.0.1:${gatewayPort}/health`,
      }),
      launch({
        name: 'Hive Gateway',
        workspace: HIVE_FOLDER,
        nodeArgs: [HIVE_BIN, 'supergraph', supergraphPath, '--port', String(hivePort), '--host', '127.0.0.1', '--fork', String(GATEWAY_PROCESSES)],
        env: { ...common, BENCH_SUPERGRAPH_PATH: supergraphPath },
        readyUrl: `http://127.0.0.1:${hivePort}/readiness`,
      }),
    ]);
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
    const hiveUrl = `http://127.0.0.1:${hivePort}/graphql`;
    const ordersUrl = `http://127.0.0.1:${ordersPort}/graphql`;
    log(`pids: auth ${auth.pid}, orders ${orders.pid}, gateway ${gateway.pid}, Hive Gateway ${hive.pid}`);

    const managerToken = await login(gatewayUrl, SEED.managerEmail);
    const customerToken = await login(gatewayUrl, SEED.customerEmail);

    // Like with like: both sides of each pair must answer the same data before either is timed.
    const menuThroughGateway = await requestGraphQL(gatewayUrl, MENU_QUERY);
    if (!isDeepStrictEqual(menuThroughGateway, await requestGraphQL(ordersUrl, MENU_QUERY, { headers: asGateway }))) throw new Error('menu differs between the gateway and the orders subgraph');
    const staffPage = await requestGraphQL<{ orders: { edges: unknown[] } }>(gatewayUrl, STAFF_ORDERS_QUERY, { token: managerToken });
    if (!isDeepStrictEqual(staffPage, await requestGraphQL(hiveUrl, STAFF_ORDERS_QUERY, { token: managerToken }))) {
      throw new Error('the staff orders page differs between our gateway and Hive Gateway');
    }
    const edges = staffPage.orders.edges;
    log(`both gateways answer the staff query with the same ${edges.length} orders`);

    const readQuery = (query: string) => () => JSON.stringify({ query });
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const rows: TableRow[] = [];
    const countSubgraphCalls = subgraphCallCounter([`http://127.0.0.1:${authPort}/metrics`, `http://127.0.0.1:${ordersPort}/metrics`]);
    // Every process a request can cost CPU in: both gateways (the idle one adds next to nothing), both subgraphs, their PostgreSQL backends.
    const stackCpu = new StackCpuMeter({ gateway: gateway.pid, hive: hive.pid, auth: auth.pid, orders: orders.pid }, TEST_ADMIN_DATABASE_URL, [authDb.name, ordersDb.name]);
    cleanups.push(() => stackCpu.close());
    const shape = { ...LOAD, onRound: describeRound, countSubgraphCalls, stackCpu };
    log(`load: ${LOAD.connections} connections, ${LOAD.rounds} rounds of ${LOAD.seconds} s per side after a ${LOAD.warmupSeconds} s warm-up, sides alternating`);

    const chefTokens: string[] = [];
    if (ONLY.has('1b') || ONLY.has('2b')) for (const email of chefEmails()) chefTokens.push(await login(gatewayUrl, email));
    const rotatingTokens = () => {
      let next = 0;
      return () => ({ authorization: `Bearer ${chefTokens[(next += 1) % chefTokens.length]!}` });
    };

    if (ONLY.has('1')) {
      log('1) menu: through the gateway vs straight to the orders subgraph');
      const comparison = await compareAlternating(
        { label: 'gateway', url: gatewayUrl, headers: {}, body: readQuery(MENU_QUERY), pid: gateway.pid },
        { label: 'orders subgraph direct', url: ordersUrl, headers: asGateway, body: readQuery(MENU_QUERY), pid: orders.pid },
        shape,
      );
      rows.push({ measurement: '1. menu (one subgraph)', comparison, ratioLabel: 'gateway/direct' });
    }

    if (ONLY.has('1b')) {
      log(`1b) the menu, each request with the next of ${SEED.chefs} chefs' tokens: nothing in flight is alike, so the gateway shares nothing and pays its whole cost each time`);
      const comparison = await compareAlternating(
        { label: 'gateway', url: gatewayUrl, headers: {}, perRequestHeaders: rotatingTokens(), body: readQuery(MENU_QUERY), pid: gateway.pid },
        { label: 'orders subgraph direct', url: ordersUrl, headers: asGateway, perRequestHeaders: rotatingTokens(), body: readQuery(MENU_QUERY), pid: orders.pid },
        shape,
      );
      rows.push({ measurement: `1b. menu, ${SEED.chefs} different tokens`, comparison, ratioLabel: 'gateway/direct' });
    }

    let federated: Comparison | undefined;
    if (ONLY.has('2')) {
      log('2) federated staff orders page: our gateway vs Hive Gateway');
      federated = await compareAlternating(
        { label: 'gateway (ours)', url: gatewayUrl, headers: bearer(managerToken), body: readQuery(STAFF_ORDERS_QUERY), pid: gateway.pid },
        { label: 'Hive Gateway', url: hiveUrl, headers: bearer(managerToken), body: readQuery(STAFF_ORDERS_QUERY), pid: hive.pid },
        shape,
      );
      rows.push({ measurement: '2. staff orders(first: 20), federated', comparison: federated, ratioLabel: 'ours/Hive' });
    }

    if (ONLY.has('2b')) {
      log(`2b) the same page, each request with the next of ${SEED.chefs} chefs' tokens: no two requests in flight are alike, so neither gateway can share a subgraph fetch`);
      const comparison = await compareAlternating(
        { label: 'gateway (ours)', url: gatewayUrl, headers: {}, perRequestHeaders: rotatingTokens(), body: readQuery(STAFF_ORDERS_QUERY), pid: gateway.pid },
        { label: 'Hive Gateway', url: hiveUrl, headers: {}, perRequestHeaders: rotatingTokens(), body: readQuery(STAFF_ORDERS_QUERY), pid: hive.pid },
        shape,
      );
      rows.push({ measurement: `2b. same, ${SEED.chefs} different tokens`, comparison, ratioLabel: 'ours/Hive' });
    }

    const sqlLines: string[] = [];
    if (ONLY.has('4')) {
      log(`4) SQL per federated request (${SQL_SAMPLE_REQUESTS} sequential requests per gateway, pg_stat_database transactions)…`);
      const databases = { auth: authDb.name, orders: ordersDb.name };
      for (const [label, url] of [
        ['gateway (ours)', gatewayUrl],
        ['Hive Gateway', hiveUrl],
      ] as const) {
        const sql = await measureSqlPerRequest(label, url, managerToken, databases);
        sqlLines.push(`SQL per federated request via ${label}: orders ${sql.orders.toFixed(2)}, auth ${sql.auth.toFixed(2)} (total ${(sql.orders + sql.auth).toFixed(2)})`);
        log(`  ${sqlLines.at(-1)}`);
      }
    }

    let stockLine: string | undefined;
    if (ONLY.has('3')) {
      log('3) placeOrder through the gateway: one unit of a different dish each time vs all on one hot dish');
      const dishes = await dishIds(ordersDb.url);
      const before = await readStockLedger(ordersDb.url, new Date(0));
      const runStarted = await databaseNow(ordersDb.url);
      let next = 0;
      const placeOrder = (dishFor: (n: number) => string) => () =>
        JSON.stringify({ query: PLACE_ORDER_MUTATION, variables: { input: { items: [{ dishId: dishFor((next += 1)), quantity: 1 }] } } });
      const comparison = await compareAlternating(
        { label: 'distinct dishes', url: gatewayUrl, headers: bearer(customerToken), body: placeOrder((n) => dishes[n % dishes.length]!), pid: gateway.pid },
        { label: 'one hot dish', url: gatewayUrl, headers: bearer(customerToken), body: placeOrder(() => dishes[0]!), pid: gateway.pid },
        shape,
      );
      rows.push({ measurement: '3. placeOrder via gateway', comparison, ratioLabel: 'distinct/hot' });
      const after = await readStockLedger(ordersDb.url, runStarted);
      const stockTaken = before.totalStock - after.totalStock;
      const consistent = after.lowestStock >= 0 && stockTaken === after.unitsOrderedSince;
      stockLine =
        `placeOrder stock check: ${after.ordersSince} orders placed, ${after.unitsOrderedSince} units in their lines, ` +
        `stock down by ${stockTaken}, lowest stock ${after.lowestStock}: ${consistent ? 'OK (no negative stock, units sold = units reserved)' : 'MISMATCH'}`;
      log(`  ${stockLine}`);
    }

    console.log('');
    console.log(
      `dishpatch gateway benchmark — ${LOAD.connections} connections, median of ${LOAD.rounds} alternating rounds of ${LOAD.seconds} s, ` +
        `${GATEWAY_PROCESSES} process${GATEWAY_PROCESSES === 1 ? '' : 'es'} per gateway, Node ${process.version}, ${availableParallelism()} CPUs, ${SEED.orders} orders seeded`,
    );
    console.log(`load average (1/5/15 min) at start ${loadAtStart}, at end ${machineLoad()}`);
    console.log('');
    console.log(formatTable(rows));
    console.log('');
    console.log('all processes CPU ms/req by process (the median round):');
    for (const row of rows) {
      for (const side of [row.comparison.a, row.comparison.b]) {
        if (side.stackCpuMsPerRequest) console.log(`  ${row.measurement}, ${side.label}: ${describeStackCpu(side.stackCpuMsPerRequest)}`);
      }
    }
    console.log('');
    for (const line of sqlLines) console.log(line);
    if (stockLine) console.log(stockLine);
    console.log(`whole run: ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (federated) console.log(`gateway/hive-gateway throughput ratio: ${(federated.a.requestsPerSecond / federated.b.requestsPerSecond).toFixed(2)}`);
  } catch (error) {
    for (const service of services) {
      log(`last lines of ${service.name}:`);
      for (const line of service.recentLines) log(`  ${line}`);
    }
    throw error;
  } finally {
    await cleanUp();
  }
}

async function databaseNow(url: string): Promise<Date> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ now: Date }>('SELECT now()');
    return rows[0]!.now;
  } finally {
    await client.end();
  }
}

await main();
