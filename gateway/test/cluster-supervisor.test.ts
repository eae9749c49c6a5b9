/**
 * The gateway as several processes (GATEWAY_WORKERS=2), started as `src/index.ts` is in
 * production: both workers serve the one port, SIGTERM closes them all, and a worker that
 * dies takes the gateway down with a failing exit code instead of leaving it half there.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startStubAuth, startStubOrders, STUB_DISH, STUB_SECRET, type StubSubgraph } from './support/stub-subgraphs.js';

const GATEWAY_FOLDER = resolve(import.meta.dirname, '..');

interface GatewayRun {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | NodeJS.Signals | null>;
}

function startGatewayProcess(env: Record<string, string>): GatewayRun {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/index.ts'], {
    cwd: GATEWAY_FOLDER,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  const exited = new Promise<number | NodeJS.Signals | null>((resolveExit) => child.once('exit', (code, signal) => resolveExit(signal ?? code)));
  return { child, output, exited };
}

/** The ports the workers logged they listen on, once `count` have. */
async function listeningPorts(run: GatewayRun, count: number): Promise<number[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ports = run.output
      .join('')
      .split('\n')
      .filter((line) => line.includes('gateway listening'))
      .map((line) => (JSON.parse(line) as { port: number }).port);
    if (ports.length >= count) return ports;
    assert.ok(run.child.exitCode === null, `the gateway exited early:\n${run.output.join('')}`);
    assert.ok(Date.now() < deadline, `${count} workers did not start:\n${run.output.join('')}`);
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 100));
  }
}

/** The worker processes: the primary's children, from /proc. */
function workerPids(primaryPid: number): number[] {
  return readFileSync(`/proc/${primaryPid}/task/${primaryPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: no such process, which is what the caller hopes to see.
    return false;
  }
}

describe('gateway with GATEWAY_WORKERS=2', () => {
  let auth: StubSubgraph;
  let orders: StubSubgraph;
  let env: Record<string, string>;

  before(async () => {
    auth = await startStubAuth();
    orders = await startStubOrders();
    env = { GATEWAY_PORT: '0', GATEWAY_METRICS_PORT: '0', GATEWAY_WORKERS: '2', AUTH_SUBGRAPH_URL: auth.url, ORDERS_SUBGRAPH_URL: orders.url, SUBGRAPH_SHARED_SECRET: STUB_SECRET };
  });

  after(async () => {
    await auth.stop();
    await orders.stop();
  });

  it('serves one port from two worker processes, and SIGTERM stops them all with code 0', async () => {
    const run = startGatewayProcess(env);
    try {
      const ports = await listeningPorts(run, 2);
      assert.equal(new Set(ports).size, 1, `the workers listen on one port: ${ports.join(', ')}`);
      const workers = workerPids(run.child.pid!);
      assert.equal(workers.length, 2);

      const response = await fetch(`http://127.0.0.1:${ports[0]}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ menu { name } }' }),
      });
      assert.deepEqual(await response.json(), { data: { menu: [{ name: STUB_DISH.name }] } });

      run.child.kill('SIGTERM');
      assert.equal(await run.exited, 0);
      assert.deepEqual(workers.filter(isRunning), [], 'no worker outlives the gateway');
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('stops with code 1, and leaves no worker behind, when a worker dies', async () => {
    const run = startGatewayProcess(env);
    try {
      await listeningPorts(run, 2);
      const workers = workerPids(run.child.pid!);
      process.kill(workers[0]!, 'SIGKILL');

      assert.equal(await run.exited, 1);
      assert.deepEqual(workers.filter(isRunning), []);
      assert.match(run.output.join(''), /a gateway worker died; stopping the others/);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});
