/**
 * `npm start`: the whole system on one machine, with no configuration.
 *
 * PostgreSQL: AUTH_DATABASE_URL / ORDERS_DATABASE_URL when given, else an embedded PostgreSQL
 * (data under .data/postgres, kept between runs; DISHPATCH_DATA_DIR moves .data, and
 * EMBEDDED_POSTGRES_PORT its port). Redis: REDIS_URL, else 127.0.0.1:6379, else a
 * redis-server from the PATH. Then: compose the supergraph if its inputs changed, build the
 * services (service-build.ts: they run from their dist/) and the web app if they are stale,
 * start the gateway (it needs no database) while PostgreSQL starts,
 * then auth, orders and the worker, as separate processes (each runs its own migrations), wait
 * until each is ready, seed the demo data on the first run, and print where to go.
 * Ctrl-C or SIGTERM stops the services (gateway first), then Redis and PostgreSQL if it
 * started them.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readSupergraphConfig, SUPERGRAPH_CONFIG_PATH, SUPERGRAPH_SDL_PATH } from '../gateway/src/supergraph-config.js';
import { prepareDemoManager, seedDemo } from './lib/demo-seed.js';
import { startEmbeddedPostgres, type RunningEmbeddedPostgres } from './lib/embedded-postgres.js';
import { paint, type Color } from './lib/log-output.js';
import { assertPortFree } from './lib/ports.js';
import { resolveRedis, type ResolvedRedis } from './lib/redis.js';
import { buildServicesIfStale } from './lib/service-build.js';
import { BUILT_ENTRY, REPO_ROOT, ServiceProcess } from './lib/service-process.js';
import { mark, writeTimelineIfAsked } from './lib/start-timeline.js';
import { buildWebAppIfStale } from './lib/web-app-build.js';
import { prepareSharedSecret } from './lib/shared-secret.js';

/** Everything `npm start` keeps between runs (gitignored); another folder keeps a separate system. */
const DATA_DIR = resolve(process.env['DISHPATCH_DATA_DIR'] || resolve(REPO_ROOT, '.data'));
const shownDataDir = relative(REPO_ROOT, DATA_DIR).startsWith('..') ? DATA_DIR : relative(REPO_ROOT, DATA_DIR);
const READY_TIMEOUT_MS = 90_000;
const SERVICE_STOP_GRACE_MS = 10_000;
const NAME_WIDTH = 8;

const startedAt = performance.now();
const say = (line: string) => process.stdout.write(`${paint('bold', 'start'.padEnd(NAME_WIDTH))} │ ${line}\n`);
const infraLog = (name: string, color: Color) => (line: string) =>
  process.stdout.write(`${paint(color, name.padEnd(NAME_WIDTH))} │ ${line}\n`);

/** A port from the environment, or its default; a bad value stops here, naming the variable. */
function portFrom(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${variable}=${JSON.stringify(raw)}: must be a port number (1-65535)`);
  return port;
}

const ports = {
  gateway: portFrom('GATEWAY_PORT', 4000),
  gatewayMetrics: portFrom('GATEWAY_METRICS_PORT', 9400),
  auth: portFrom('AUTH_PORT', 4001),
  orders: portFrom('ORDERS_PORT', 4002),
  worker: portFrom('WORKER_PORT', 4003),
};
const EMBEDDED_POSTGRES = {
  port: portFrom('EMBEDDED_POSTGRES_PORT', 54329),
  user: 'postgres',
  password: 'postgres',
  dataDir: resolve(DATA_DIR, 'postgres'),
};

let postgres: RunningEmbeddedPostgres | undefined;
let redis: ResolvedRedis | undefined;
/** Set as soon as the process exists, so that a stop during start-up reaches it. */
let stopStartedRedis: ((graceMs: number) => Promise<void>) | undefined;
let stopStartedPostgres: ((graceMs: number) => Promise<void>) | undefined;
const services: ServiceProcess[] = [];
let stopping: Promise<void> | undefined;

/** Services first (gateway before the subgraphs it calls), then what they need. */
function stopEverything(): Promise<void> {
  stopping ??= (async () => {
    const gateway = services.find((service) => service.name === 'gateway');
    await gateway?.stop(SERVICE_STOP_GRACE_MS);
    await Promise.all(services.filter((service) => service !== gateway).map((service) => service.stop(SERVICE_STOP_GRACE_MS)));
    await stopStartedRedis?.(5_000);
    await stopStartedPostgres?.(10_000);
  })();
  return stopping;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    // npm and tsx may pass the terminal's Ctrl-C on as well: one stop is enough.
    if (stopping) return;
    const stopStartedAt = performance.now();
    process.stdout.write('\n');
    say(`${signal}: stopping the services, then Redis and PostgreSQL if started here…`);
    void stopEverything().then(
      () => {
        say(`stopped everything in ${((performance.now() - stopStartedAt) / 1000).toFixed(1)} s`);
        process.exit(0);
      },
      (error: unknown) => {
        say(paint('red', `stopping failed: ${String(error)}`));
        process.exit(1);
      },
    );
  });
}

/**
 * Where the digest of the last composition's inputs and output is kept: with the checkout, whose
 * files it describes, so a start on a new data folder skips an unneeded composition too.
 */
const COMPOSED_DIGEST_PATH = resolve(REPO_ROOT, 'node_modules/.cache/dishpatch/composed-supergraph.sha256');

/**
 * Everything a composition depends on and what it wrote: supergraph.yaml, each subgraph's SDL,
 * the lockfile (the composition library's version) and supergraph.graphql itself.
 */
function compositionDigest(): string {
  const hash = createHash('sha256');
  const files = [SUPERGRAPH_CONFIG_PATH, ...readSupergraphConfig().subgraphs.map((subgraph) => subgraph.schemaFile), resolve(REPO_ROOT, 'package-lock.json'), SUPERGRAPH_SDL_PATH];
  for (const file of files) hash.update(file).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/**
 * Recomposes when the SDL files changed since supergraph.graphql was written. Composing costs
 * most of a second (loading the composition library, then composing), so it is skipped when
 * nothing it reads or wrote changed since the last start that composed.
 */
async function composeIfStale(): Promise<void> {
  if (existsSync(COMPOSED_DIGEST_PATH) && readFileSync(COMPOSED_DIGEST_PATH, 'utf8') === compositionDigest()) return;
  const { composeSupergraph, describeCompositionError } = await import('../tooling/src/composition.js');
  const composition = composeSupergraph(readSupergraphConfig());
  if (!composition.ok) {
    throw new Error(`The subgraph schemas do not compose:\n${composition.errors.map((error) => `  ${describeCompositionError(error)}`).join('\n')}`);
  }
  if (readFileSync(SUPERGRAPH_SDL_PATH, 'utf8') !== composition.supergraphSdl) {
    writeFileSync(SUPERGRAPH_SDL_PATH, composition.supergraphSdl);
    say('supergraph.graphql was stale: composed it again');
  }
  mkdirSync(dirname(COMPOSED_DIGEST_PATH), { recursive: true });
  writeFileSync(COMPOSED_DIGEST_PATH, compositionDigest());
}

/** AUTH_DATABASE_URL and ORDERS_DATABASE_URL: as given, or on the embedded PostgreSQL, started here (and the databases created) when one is missing. */
async function databaseUrls(needEmbedded: boolean): Promise<{ AUTH_DATABASE_URL: string; ORDERS_DATABASE_URL: string }> {
  const given = { auth: process.env['AUTH_DATABASE_URL'], orders: process.env['ORDERS_DATABASE_URL'] };
  if (!needEmbedded) return { AUTH_DATABASE_URL: given.auth!, ORDERS_DATABASE_URL: given.orders! };
  say(`PostgreSQL: starting the embedded one on port ${EMBEDDED_POSTGRES.port} (data in ${shownDataDir}/postgres)…`);
  const started = await startEmbeddedPostgres({
    ...EMBEDDED_POSTGRES,
    databases: [...(given.auth ? [] : ['dishpatch_auth']), ...(given.orders ? [] : ['dishpatch_orders'])],
    onLog: infraLog('postgres', 'blue'),
    onSpawned: (stop) => (stopStartedPostgres = stop),
    onPhase: mark,
  });
  mark('postgres: databases ready');
  postgres = started;
  say(
    started.initialised
      ? `PostgreSQL: initialised a new cluster, created ${started.createdDatabases.join(', ')}`
      : `PostgreSQL: reusing the data in ${shownDataDir}/postgres${started.createdDatabases.length > 0 ? `, created ${started.createdDatabases.join(', ')}` : ''}`,
  );
  return { AUTH_DATABASE_URL: given.auth || started.urlOf('dishpatch_auth'), ORDERS_DATABASE_URL: given.orders || started.urlOf('dishpatch_orders') };
}

async function main(): Promise<void> {
  mark('start script loaded');
  const needEmbedded = !process.env['AUTH_DATABASE_URL'] || !process.env['ORDERS_DATABASE_URL'];
  await assertPortFree(ports.gateway, 'the gateway', 'GATEWAY_PORT');
  await assertPortFree(ports.gatewayMetrics, "the gateway's metrics", 'GATEWAY_METRICS_PORT');
  await assertPortFree(ports.auth, 'the auth subgraph', 'AUTH_PORT');
  await assertPortFree(ports.orders, 'the orders subgraph', 'ORDERS_PORT');
  await assertPortFree(ports.worker, "the worker's health endpoint", 'WORKER_PORT');
  if (needEmbedded) {
    await assertPortFree(EMBEDDED_POSTGRES.port, 'the embedded PostgreSQL (is an earlier npm start still running?)', 'EMBEDDED_POSTGRES_PORT');
  }

  redis = await resolveRedis({
    url: process.env['REDIS_URL'],
    dataDir: resolve(DATA_DIR, 'redis'),
    onLog: infraLog('redis', 'red'),
    onSpawned: (stop) => (stopStartedRedis = stop),
  });
  say(`Redis: ${redis.origin}`);
  mark('redis found');

  // PostgreSQL starts in a process of its own; composing, the web build and the gateway's start overlap with it.
  const databases = databaseUrls(needEmbedded);
  databases.catch(() => undefined); // awaited below; a failure must not count as unhandled meanwhile
  await composeIfStale();
  mark('supergraph checked');
  const built = await buildServicesIfStale();
  if (built.length > 0) say(`built ${built.join(', ')} into their dist/ folders (new or changed sources)`);
  mark('services built');
  // Before the gateway starts: it reads the web app's build once, at start.
  if (buildWebAppIfStale()) say('the web app was stale: built it again (web/dist)');
  mark('web app checked');

  const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_URL: redis.url,
    AUTH_DATA_DIR: process.env['AUTH_DATA_DIR'] || resolve(DATA_DIR, 'auth'),
    GATEWAY_PORT: String(ports.gateway),
    GATEWAY_METRICS_PORT: String(ports.gatewayMetrics),
    AUTH_PORT: String(ports.auth),
    ORDERS_PORT: String(ports.orders),
    WORKER_PORT: String(ports.worker),
    AUTH_JWKS_URL: process.env['AUTH_JWKS_URL'] || `http://127.0.0.1:${ports.auth}/.well-known/jwks.json`,
    AUTH_SUBGRAPH_URL: process.env['AUTH_SUBGRAPH_URL'] || `http://127.0.0.1:${ports.auth}/graphql`,
    ORDERS_SUBGRAPH_URL: process.env['ORDERS_SUBGRAPH_URL'] || `http://127.0.0.1:${ports.orders}/graphql`,
    // The trust boundary: only the gateway faces the network, and only it knows the secret.
    SUBGRAPH_SHARED_SECRET: prepareSharedSecret(DATA_DIR, process.env['SUBGRAPH_SHARED_SECRET']),
    LISTEN_HOST: process.env['LISTEN_HOST'] || '127.0.0.1',
  };
  /** Starts a service, from its build, as a process of its own. */
  const startService = (definition: { name: string; workspace: string; readyUrl: string; color: Color }, env: NodeJS.ProcessEnv): ServiceProcess => {
    const service = new ServiceProcess({ ...definition, env, nameWidth: NAME_WIDTH, nodeArgs: BUILT_ENTRY });
    services.push(service);
    service.start();
    mark(`${service.name}: spawned`);
    return service;
  };
  /** Settles once the service answers its readiness URL; rejects if it exits first or never does. */
  const readyOf = async (service: ServiceProcess): Promise<void> => {
    await service.waitUntilReady(READY_TIMEOUT_MS);
    mark(`${service.name}: ready`);
  };
  // The gateway needs no database (its supergraph is static): it loads while PostgreSQL starts.
  const gateway = startService({ name: 'gateway', workspace: 'gateway', readyUrl: `${gatewayUrl}/ready`, color: 'green' }, baseEnv);

  const env: NodeJS.ProcessEnv = { ...baseEnv, ...(await databases) };
  const authReady = readyOf(startService({ name: 'auth', workspace: 'auth-subgraph', readyUrl: `http://127.0.0.1:${ports.auth}/ready`, color: 'magenta' }, env));
  const ordersReady = readyOf(startService({ name: 'orders', workspace: 'orders-subgraph', readyUrl: `http://127.0.0.1:${ports.orders}/ready`, color: 'cyan' }, env));
  // The gateway's /ready asks both subgraphs: asked before they are, it would only log "not ready".
  const gatewayReady = Promise.all([authReady, ordersReady]).then(() => readyOf(gateway));
  // The worker reads the tables the orders subgraph's migrations create: on a database made in
  // this run it starts once they exist; otherwise they do already.
  const workerReady = (async () => {
    if (postgres?.createdDatabases.includes('dishpatch_orders')) await ordersReady;
    await readyOf(startService({ name: 'worker', workspace: 'worker', readyUrl: `http://127.0.0.1:${ports.worker}/ready`, color: 'yellow' }, env));
  })();
  // Seeding needs the gateway and the subgraphs, not the worker: it runs while the worker starts.
  // The demo manager is made while auth starts: create-manager migrates first, under the same
  // advisory lock as auth, so whichever comes second finds the schema done.
  const demoManager = prepareDemoManager(resolve(DATA_DIR, 'demo-manager.json'), env);
  void demoManager.created.then((created) => created && mark('demo manager: created'), () => undefined);
  const seeded = (async () => {
    await Promise.all([authReady, ordersReady, gatewayReady]);
    const seed = await seedDemo(`${gatewayUrl}/graphql`, env, demoManager);
    mark('demo seed: done');
    return seed;
  })();
  const [seed] = await Promise.all([seeded, workerReady]);
  mark('ready');
  writeTimelineIfAsked();
  if (seed.createdManager) say(`seeded the demo manager ${seed.manager.email}`);
  if (seed.createdDishes > 0) say(`seeded the demo menu: ${seed.createdDishes} dishes`);

  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  const lines = [
    '',
    paint('green', `dishpatch is ready (${seconds} s)`),
    '',
    `  Web app       ${gatewayUrl}/app/`,
    `  GraphQL API   ${gatewayUrl}/graphql`,
    `  Playground    ${gatewayUrl}/   (GraphiQL, works offline)`,
    `  Health        ${gatewayUrl}/ready`,
    `  Metrics       http://127.0.0.1:${ports.gatewayMetrics}/metrics   (Prometheus; this machine only)`,
    '',
    `  Sign in as the demo manager at ${gatewayUrl}/app/sign-in (${seed.manager.email}, ${seed.manager.password}),`,
    '  or run this in the playground, then put',
    '  { "Authorization": "Bearer <accessToken>" } in its Headers tab:',
    `    mutation { login(input: { email: "${seed.manager.email}", password: "${seed.manager.password}" }) { accessToken } }`,
    '  Or register a customer: see examples/register.graphql, and the README walkthrough.',
    '',
    '  Ctrl-C stops everything.',
    '',
  ];
  for (const line of lines) say(line);

  for (const service of services) {
    void service.whenExited().then((description) => {
      if (!stopping) say(paint('red', `${service.name} ${description}; the others keep running. Ctrl-C stops everything.`));
    });
  }
}

main().catch(async (error: unknown) => {
  say(paint('red', error instanceof Error ? error.message : String(error)));
  await stopEverything();
  process.exit(1);
});
