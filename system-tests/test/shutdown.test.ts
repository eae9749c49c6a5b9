/**
 * How the services end: a plain SIGTERM drains and exits 0 (Apollo Server's own signal handler
 * used to send the signal again, exit 1), and a `npm start` killed with SIGKILL, which cannot
 * stop its children itself, leaves none of them running.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@dishpatch/shared/testing';
import { findFreePort } from '../../scripts/lib/ports.js';
import { REPO_ROOT, ServiceProcess } from '../../scripts/lib/service-process.js';
import { generateSharedSecret } from '@dishpatch/shared/http';

const READY_TIMEOUT_MS = 120_000;

/** A process still running: a zombie (exited, not yet reaped) does not count. */
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function descendantsOf(pid: number): number[] {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, childParent] of table) {
      if (childParent === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

describe('shutdown', () => {
  let authDb: TestDatabase;
  let ordersDb: TestDatabase;
  let redis: TestRedis;
  let authDataDir: string;
  let env: NodeJS.ProcessEnv;
  const ports = { gateway: 0, metrics: 0, auth: 0, orders: 0, worker: 0 };

  before(async () => {
    authDb = await createTestDatabase('shutdown_auth');
    ordersDb = await createTestDatabase('shutdown_orders');
    redis = createTestRedis('shutdown');
    authDataDir = mkdtempSync(join(tmpdir(), 'dishpatch-shutdown-auth-'));
    for (const name of Object.keys(ports) as Array<keyof typeof ports>) ports[name] = await findFreePort();
    env = {
      ...process.env,
      LOG_LEVEL: 'warn',
      AUTH_DATABASE_URL: authDb.url,
      ORDERS_DATABASE_URL: ordersDb.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      GATEWAY_PORT: String(ports.gateway),
      GATEWAY_METRICS_PORT: String(ports.metrics),
      AUTH_PORT: String(ports.auth),
      ORDERS_PORT: String(ports.orders),
      WORKER_PORT: String(ports.worker),
      AUTH_JWKS_URL: `http://127.0.0.1:${ports.auth}/.well-known/jwks.json`,
      AUTH_SUBGRAPH_URL: `http://127.0.0.1:${ports.auth}/graphql`,
      ORDERS_SUBGRAPH_URL: `http://127.0.0.1:${ports.orders}/graphql`,
      AUTH_DATA_DIR: authDataDir,
      SUBGRAPH_SHARED_SECRET: generateSharedSecret(),
      BCRYPT_ROUNDS: '4',
      BCRYPT_ALLOW_WEAK_ROUNDS: 'true',
      NO_COLOR: '1',
    };
  });

  after(async () => {
    await authDb?.drop();
    await ordersDb?.drop();
    await redis?.cleanup();
    if (authDataDir) rmSync(authDataDir, { recursive: true, force: true });
  });

  it('auth, orders and the gateway each exit 0 after a plain SIGTERM', async () => {
    const started: ServiceProcess[] = [];
    try {
      for (const [name, workspace, port] of [
        ['auth', 'auth-subgraph', ports.auth],
        ['orders', 'orders-subgraph', ports.orders],
        ['gateway', 'gateway', ports.gateway],
      ] as const) {
        const service = new ServiceProcess({ name, workspace, env, readyUrl: `http://127.0.0.1:${port}/health`, color: 'cyan', nameWidth: 8, output: 'silent' });
        started.push(service);
        service.start();
        await service.waitUntilReady(READY_TIMEOUT_MS);
      }
      for (const service of [...started].reverse()) {
        await service.stop(15_000);
        assert.equal(await service.whenExited(), 'exited with code 0', `${service.name}:\n${service.recentLines.join('\n')}`);
      }
    } finally {
      await Promise.all(started.map((service) => service.stop(1_000)));
    }
  });

  it('a npm start killed with SIGKILL leaves none of its services running', async () => {
    const script = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const output: string[] = [];
    script.stdout.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
    script.stderr.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
    const exited = new Promise((resolveExit) => script.once('exit', resolveExit));
    let services: number[] = [];
    try {
      const deadline = Date.now() + 180_000;
      while (!output.join('').includes('dishpatch is ready')) {
        assert.ok(script.exitCode === null, `npm start exited early:\n${output.join('')}`);
        assert.ok(Date.now() < deadline, `not ready:\n${output.join('')}`);
        await new Promise((resolveDelay) => setTimeout(resolveDelay, 200));
      }
      services = descendantsOf(script.pid!);
      assert.ok(services.length >= 4, `four services (${services.length})`);
      script.kill('SIGKILL');
      await exited;
      const stopBy = Date.now() + 15_000;
      while (services.some(isRunning) && Date.now() < stopBy) await new Promise((resolveDelay) => setTimeout(resolveDelay, 100));
      const survivors = services.filter(isRunning).map((pid) => `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`);
      assert.deepEqual(survivors, [], 'no service outlives its supervisor');
    } finally {
      if (script.exitCode === null && script.signalCode === null) script.kill('SIGKILL');
      for (const pid of services.filter(isRunning)) process.kill(pid, 'SIGKILL');
    }
  });
});
