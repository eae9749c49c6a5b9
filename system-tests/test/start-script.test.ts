/**
 * `npm start` as a user runs it, on free ports and in a scratch data folder: the embedded
 * PostgreSQL, the four services, the demo seed, a Ctrl-C that leaves nothing behind, a second
 * start that reuses the data, and a clear message for a port already taken.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { createTestRedis, type TestRedis } from '@dishpatch/shared/testing';
import { requestGraphQL } from '../../scripts/lib/graphql-client.js';
import { assertPortFree, findFreePort } from '../../scripts/lib/ports.js';
import { REPO_ROOT } from '../../scripts/lib/service-process.js';
import { descendantsOf, npmStart, survivorsOf, waitForOutput, type StartRun } from './support/system.js';

/**
 * Run as root, the embedded PostgreSQL runs as the OS user postgres, which must enter every
 * folder above the checkout (its binaries are in node_modules). A checkout may sit under a
 * folder of mode 0700 (a `mktemp -d`): grant the traverse bit there, as npm start's message
 * tells a user to, and return the modes to put back.
 */
function grantTraverseAbove(path: string): Array<[string, number]> {
  const changed: Array<[string, number]> = [];
  if (userInfo().uid !== 0) return changed;
  for (let folder = dirname(path); folder !== dirname(folder); folder = dirname(folder)) {
    const mode = statSync(folder).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(folder, mode | 0o001);
      changed.push([folder, mode]);
    }
  }
  return changed;
}

/** Ctrl-C in a terminal: SIGINT to the whole foreground process group. */
async function pressCtrlC(run: StartRun): Promise<number | NodeJS.Signals | null> {
  process.kill(-run.child.pid!, 'SIGINT');
  return Promise.race([
    run.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`npm start did not stop:\n${run.output.join('')}`)), 30_000).unref()),
  ]);
}

/**
 * The local addresses listening on a TCP port, from the kernel's tables (IPv4 and IPv6), as
 * `a.b.c.d` or the IPv6 hex: what a machine elsewhere could reach, not what a connection from
 * here happens to get.
 */
function listeningAddresses(port: number): string[] {
  const addresses: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue; // 0A: LISTEN
      const [hexAddress, hexPort] = local.split(':') as [string, string];
      if (parseInt(hexPort, 16) !== port) continue;
      addresses.push(
        hexAddress.length === 8 ? (hexAddress.match(/../g) ?? []).reverse().map((byte) => parseInt(byte, 16)).join('.') : hexAddress,
      );
    }
  }
  return addresses;
}

describe('npm start', () => {
  let dataDir: string;
  let redis: TestRedis;
  let env: NodeJS.ProcessEnv;
  let graphqlUrl = '';
  let embeddedPostgresPort = 0;
  const running: StartRun[] = [];

  let restoreModes: Array<[string, number]> = [];

  before(async () => {
    restoreModes = grantTraverseAbove(REPO_ROOT);
    // The embedded PostgreSQL runs as the OS user postgres, which must be able to enter the folder.
    dataDir = mkdtempSync(join(tmpdir(), 'dishpatch-start-'));
    chmodSync(dataDir, 0o755);
    redis = createTestRedis('start');
    const [gateway, auth, orders, worker, postgres, metrics] = [await findFreePort(), await findFreePort(), await findFreePort(), await findFreePort(), await findFreePort(), await findFreePort()];
    embeddedPostgresPort = postgres;
    env = {
      ...process.env,
      DISHPATCH_DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(postgres),
      GATEWAY_PORT: String(gateway),
      GATEWAY_METRICS_PORT: String(metrics),
      AUTH_PORT: String(auth),
      ORDERS_PORT: String(orders),
      WORKER_PORT: String(worker),
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      LOG_LEVEL: 'warn',
      BCRYPT_ROUNDS: '4',
      BCRYPT_ALLOW_WEAK_ROUNDS: 'true',
      NO_COLOR: '1',
    };
    for (const variable of ['AUTH_DATABASE_URL', 'ORDERS_DATABASE_URL', 'AUTH_JWKS_URL', 'AUTH_SUBGRAPH_URL', 'ORDERS_SUBGRAPH_URL', 'AUTH_DATA_DIR', 'SUBGRAPH_SHARED_SECRET', 'LISTEN_HOST']) {
      delete env[variable];
    }
    graphqlUrl = `http://127.0.0.1:${gateway}/graphql`;
  });

  // A test that failed half-way must not leave its npm start holding the ports of the next.
  const stopRunning = async () => {
    for (const run of running.splice(0)) {
      if (run.child.exitCode === null && run.child.signalCode === null) {
        process.kill(-run.child.pid!, 'SIGTERM');
        await run.exited;
      }
    }
  };
  afterEach(stopRunning);
  after(async () => {
    await stopRunning();
    await redis?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    for (const [folder, mode] of restoreModes) chmodSync(folder, mode);
  });

  it('starts everything with the embedded PostgreSQL, seeds the demo, and Ctrl-C leaves no process behind', async () => {
    const run = npmStart(env);
    running.push(run);
    // The banner's last line: the whole banner (sign-in included) has been printed.
    await waitForOutput(run, /Ctrl-C stops everything\./, 180_000);
    const text = run.output.join('');
    assert.match(text, /initialised a new cluster, created dishpatch_auth, dishpatch_orders/);
    assert.match(text, /seeded the demo menu: 12 dishes/);
    assert.match(text, new RegExp(`Playground +${graphqlUrl.replace('/graphql', '/')}`));

    const { menu } = await requestGraphQL<{ menu: Array<{ name: string }> }>(graphqlUrl, '{ menu { name } }');
    assert.equal(menu.length, 12);
    const manager = JSON.parse(readFileSync(join(dataDir, 'demo-manager.json'), 'utf8')) as { email: string; password: string };
    assert.match(text, new RegExp(manager.password), 'the sign-in is printed');
    const { login } = await requestGraphQL<{ login: { user: { role: string } } }>(
      graphqlUrl,
      'mutation($input: LoginInput!) { login(input: $input) { user { role } } }',
      { variables: { input: { email: manager.email, password: manager.password } } },
    );
    assert.equal(login.user.role, 'MANAGER');

    // The trust boundary: the subgraphs and the worker's health listen on loopback only, and a
    // subgraph asked directly, without the secret npm start made, answers nothing.
    for (const variable of ['AUTH_PORT', 'ORDERS_PORT', 'WORKER_PORT']) {
      const addresses = listeningAddresses(Number(env[variable]));
      assert.ok(addresses.length > 0, `${variable} listens`);
      assert.deepEqual([...new Set(addresses)], ['127.0.0.1'], `${variable} listens on 127.0.0.1 only`);
    }
    const direct = await fetch(`http://127.0.0.1:${env['AUTH_PORT']}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    assert.equal(direct.status, 403);
    await direct.body?.cancel();
    assert.equal(statSync(join(dataDir, 'subgraph-shared-secret')).mode & 0o777, 0o600, 'the secret is readable by its owner only');

    const processes = descendantsOf(run.child.pid!);
    assert.ok(processes.length >= 10, `npm, the script, four services, PostgreSQL… (${processes.length})`);
    assert.equal(await pressCtrlC(run), 0, 'a clean stop is a clean exit');
    assert.match(run.output.join(''), /stopped everything in/);
    assert.deepEqual(survivorsOf(processes), [], 'no process outlives npm start');
    await assertPortFree(embeddedPostgresPort, 'the embedded PostgreSQL');
  });

  it('a second start reuses the data (no new cluster, no second seed), and SIGTERM to npm alone stops it all', async () => {
    const run = npmStart(env);
    running.push(run);
    await waitForOutput(run, /Ctrl-C stops everything\./, 180_000);
    const text = run.output.join('');
    assert.match(text, /reusing the data in/);
    assert.doesNotMatch(text, /seeded/);
    const { menu } = await requestGraphQL<{ menu: Array<{ name: string }> }>(graphqlUrl, '{ menu { name } }');
    assert.equal(menu.length, 12);
    const processes = descendantsOf(run.child.pid!);
    // A process manager signals npm only; the script's `exec` lets npm's forwarding reach it.
    run.child.kill('SIGTERM');
    await run.exited;
    assert.match(run.output.join(''), /SIGTERM: stopping the services/);
    assert.match(run.output.join(''), /stopped everything in/);
    assert.deepEqual(survivorsOf(processes), []);
  });

  it('names a port that is already taken, and starts nothing', async () => {
    const blocker = createServer();
    await new Promise<void>((resolveListen) => blocker.listen(Number(env['ORDERS_PORT']), '127.0.0.1', resolveListen));
    try {
      const run = npmStart(env);
      running.push(run);
      assert.equal(await run.exited, 1);
      assert.match(run.output.join(''), new RegExp(`Port ${env['ORDERS_PORT']} is already in use, and the orders subgraph needs it \\(ORDERS_PORT\\)`));
      assert.ok(!existsSync(join(dataDir, 'postgres', 'postmaster.pid')), 'PostgreSQL was not started');
    } finally {
      blocker.close();
    }
  });
});
