/**
 * The real system for a test: fresh auth and orders databases on the test PostgreSQL, a fresh
 * Redis prefix, free ports, a scratch auth data folder and the environment the services read
 * (`overrides` last); `start` runs the chosen services as `npm start` does and waits until each
 * is ready, `stop` ends them and removes it all. Also: `npm start` as a child, and its processes.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSharedSecret } from '@dishpatch/shared/http';
import { createTestDatabase, createTestRedis } from '@dishpatch/shared/testing';
import { findFreePort } from '../../../scripts/lib/ports.js';
import { REPO_ROOT, ServiceProcess } from '../../../scripts/lib/service-process.js';

export const READY_TIMEOUT_MS = 120_000;
const WORKSPACES: Record<string, string> = { auth: 'auth-subgraph', orders: 'orders-subgraph', worker: 'worker', gateway: 'gateway' };

export type TestSystem = Awaited<ReturnType<typeof createSystem>>;

export async function createSystem(label: string, overrides: NodeJS.ProcessEnv = {}) {
  const [authDb, ordersDb, redis] = [await createTestDatabase(`${label}_auth`), await createTestDatabase(`${label}_orders`), createTestRedis(label)];
  const authDataDir = mkdtempSync(join(tmpdir(), `dishpatch-${label}-auth-`));
  const ports: Record<string, number> = {};
  for (const name of ['gateway', 'metrics', 'auth', 'orders', 'worker']) ports[name] = await findFreePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'warn',
    AUTH_DATABASE_URL: authDb.url,
    ORDERS_DATABASE_URL: ordersDb.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    GATEWAY_PORT: String(ports['gateway']),
    GATEWAY_METRICS_PORT: String(ports['metrics']),
    AUTH_PORT: String(ports['auth']),
    ORDERS_PORT: String(ports['orders']),
    WORKER_PORT: String(ports['worker']),
    AUTH_JWKS_URL: `http://127.0.0.1:${ports['auth']}/.well-known/jwks.json`,
    AUTH_SUBGRAPH_URL: `http://127.0.0.1:${ports['auth']}/graphql`,
    ORDERS_SUBGRAPH_URL: `http://127.0.0.1:${ports['orders']}/graphql`,
    AUTH_DATA_DIR: authDataDir,
    BCRYPT_ROUNDS: '4',
    BCRYPT_ALLOW_WEAK_ROUNDS: 'true',
    SUBGRAPH_SHARED_SECRET: generateSharedSecret(),
    ...overrides,
  };
  const services = new Map<string, ServiceProcess>();
  const gatewayBase = `http://127.0.0.1:${ports['gateway']}`;
  const system = {
    authDb, ordersDb, redis, authDataDir, env, ports, services, gatewayBase,
    graphqlUrl: `${gatewayBase}/graphql`,
    /** A service (replacing any of that name), not started; `env` is read now, so change it before. */
    service(name: string, options: { workspace?: string; port?: number; env?: NodeJS.ProcessEnv; readyPath?: string } = {}): ServiceProcess {
      const { workspace = WORKSPACES[name]!, port = ports[name]!, readyPath = '/ready' } = options;
      const output = process.env['TEST_LOG_LEVEL'] ? 'prefixed' : 'silent';
      const service = new ServiceProcess({ name, workspace, env: { ...env, ...options.env }, readyUrl: `http://127.0.0.1:${port}${readyPath}`, color: 'cyan', nameWidth: 8, output });
      services.set(name, service);
      return service;
    },
    /** Starts the named services (those made with `service` or the four standard ones) and waits until all are ready. */
    async start(names = ['auth', 'orders', 'worker', 'gateway']): Promise<void> {
      const started = names.map((name) => services.get(name) ?? system.service(name));
      for (const service of started) if (service.name !== 'worker') service.start();
      const worker = services.get('worker');
      if (worker && started.includes(worker)) {
        // The worker reads tables the orders subgraph's migrations create.
        await services.get('orders')!.waitUntilReady(READY_TIMEOUT_MS);
        worker.start();
      }
      await Promise.all(started.map((service) => service.waitUntilReady(READY_TIMEOUT_MS)));
    },
    async stop(): Promise<void> {
      await Promise.all([...services.values()].map((service) => service.stop(10_000)));
      await authDb.drop();
      await ordersDb.drop();
      await redis.cleanup();
      rmSync(authDataDir, { recursive: true, force: true });
    },
  };
  return system;
}

export interface StartRun {
  child: ChildProcess;
  output: string[];
  /** The exit code, or the signal that ended it. */
  exited: Promise<number | NodeJS.Signals | null>;
}

/** `npm start` (or `command`) from the repository root, in its own process group like a terminal's foreground job. */
export function npmStart(env: NodeJS.ProcessEnv, command = ['npm', 'start']): StartRun {
  const child = spawn(command[0]!, command.slice(1), { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const output: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  const exited = new Promise<number | NodeJS.Signals | null>((resolveExit) => child.once('exit', (code, signal) => resolveExit(signal ?? code)));
  return { child, output, exited };
}

export async function waitForOutput(run: StartRun, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(run.output.join(''))) {
    assert.ok(run.child.exitCode === null, `npm start exited early:\n${run.output.join('')}`);
    assert.ok(Date.now() < deadline, `no ${pattern} within ${timeoutMs / 1000} s:\n${run.output.join('')}`);
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 200));
  }
}

/** Every process descended from `pid`, from the process table. */
export function descendantsOf(pid: number): number[] {
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

/** A process still running: a zombie (exited, not yet reaped by its parent) does not count. */
export function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The processes of `pids` still running, each with its command line, for a readable failure. */
export function survivorsOf(pids: number[]): string[] {
  return pids.filter(isRunning).map((pid) => {
    try {
      return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`;
    } catch {
      return String(pid);
    }
  });
}
