/**
 * How the services end: a plain SIGTERM drains and exits 0 (Apollo Server's own signal handler
 * used to send the signal again, exit 1), and a `npm start` killed with SIGKILL, which cannot
 * stop its children itself, leaves none of them running.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceProcess } from '../../scripts/lib/service-process.js';
import { READY_TIMEOUT_MS, createSystem, descendantsOf, isRunning, npmStart, survivorsOf, waitForOutput, type TestSystem } from './support/system.js';

describe('shutdown', () => {
  let system: TestSystem;

  before(async () => {
    system = await createSystem('shutdown', { LOG_LEVEL: 'warn', NO_COLOR: '1' });
  });

  after(async () => {
    await system?.stop();
  });

  it('auth, orders and the gateway each exit 0 after a plain SIGTERM', async () => {
    const started: ServiceProcess[] = [];
    try {
      for (const name of ['auth', 'orders', 'gateway']) {
        const service = system.service(name, { readyPath: '/health' });
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
    const run = npmStart(system.env, [process.execPath, '--import', 'tsx', 'scripts/start.ts']);
    const script = run.child;
    let services: number[] = [];
    try {
      await waitForOutput(run, /dishpatch is ready/, 180_000);
      services = descendantsOf(script.pid!);
      assert.ok(services.length >= 4, `four services (${services.length})`);
      script.kill('SIGKILL');
      await run.exited;
      const stopBy = Date.now() + 15_000;
      while (services.some(isRunning) && Date.now() < stopBy) await new Promise((resolveDelay) => setTimeout(resolveDelay, 100));
      assert.deepEqual(survivorsOf(services), [], 'no service outlives its supervisor');
    } finally {
      if (script.exitCode === null && script.signalCode === null) script.kill('SIGKILL');
      for (const pid of services.filter(isRunning)) process.kill(pid, 'SIGKILL');
    }
  });
});
