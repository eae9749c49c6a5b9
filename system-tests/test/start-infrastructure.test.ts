/** The pieces `npm start` finds or starts before the services: ports, Redis, readable logs. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readableLogLine } from '../../scripts/lib/log-output.js';
import { assertPortFree, findFreePort, PortInUseError } from '../../scripts/lib/ports.js';
import { redisAnswers, RedisUnavailableError, resolveRedis } from '../../scripts/lib/redis.js';

describe('ports', () => {
  it('names a taken port, what needs it and how to choose another', async () => {
    const blocker = createServer();
    const port = await findFreePort();
    await new Promise<void>((resolveListen) => blocker.listen(port, '127.0.0.1', resolveListen));
    try {
      await assert.rejects(assertPortFree(port, 'the gateway', 'GATEWAY_PORT'), (error: unknown) => {
        assert.ok(error instanceof PortInUseError);
        assert.match(error.message, new RegExp(`Port ${port} is already in use, and the gateway needs it \\(GATEWAY_PORT\\)`));
        assert.match(error.message, new RegExp(`GATEWAY_PORT=${port + 100} npm start`));
        return true;
      });
    } finally {
      blocker.close();
    }
    await assertPortFree(port, 'the gateway', 'GATEWAY_PORT');
  });
});

describe('Redis for npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dishpatch-redis-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('uses REDIS_URL when it answers, and says so when it does not', async () => {
    const found = await resolveRedis({ url: 'redis://127.0.0.1:6379', dataDir, onLog: () => undefined });
    assert.deepEqual(found, { url: 'redis://127.0.0.1:6379', origin: 'REDIS_URL' });
    const silent = `redis://127.0.0.1:${await findFreePort()}`;
    await assert.rejects(resolveRedis({ url: silent, dataDir, onLog: () => undefined }), new RegExp(`REDIS_URL=${silent} does not answer`));
  });

  it('starts a redis-server from the PATH on a free port when nothing answers locally, and stops it', async () => {
    let stop: ((graceMs: number) => Promise<void>) | undefined;
    const found = await resolveRedis({
      url: undefined,
      localUrl: `redis://127.0.0.1:${await findFreePort()}`,
      dataDir,
      onLog: () => undefined,
      onSpawned: (stopRedis) => (stop = stopRedis),
    });
    assert.match(found.origin, /redis-server from the PATH, started on port \d+/);
    assert.equal(await redisAnswers(found.url), true);
    assert.ok(stop);
    await stop(5_000);
    assert.equal(await redisAnswers(found.url), false);
  });

  it('says how to get Redis when there is none at all', async () => {
    await assert.rejects(
      resolveRedis({ url: undefined, localUrl: `redis://127.0.0.1:${await findFreePort()}`, path: '/nonexistent', dataDir, onLog: () => undefined }),
      (error: unknown) => {
        assert.ok(error instanceof RedisUnavailableError);
        assert.match(error.message, /redis-server is not on the PATH/);
        assert.match(error.message, /apt-get install redis-server/);
        assert.match(error.message, /REDIS_URL=redis:\/\/host:6379 npm start/);
        return true;
      },
    );
  });
});

describe('log lines', () => {
  it("shows a service's pino line as level, message and details, and other lines as they are", () => {
    const line = JSON.stringify({ level: 40, time: 1, pid: 2, hostname: 'h', service: 'auth', msg: 'not ready', checks: { redis: 'unavailable' } });
    assert.equal(readableLogLine(line), 'WARN  not ready checks={"redis":"unavailable"}');
    assert.equal(readableLogLine('plain text'), 'plain text');
    assert.equal(readableLogLine('{not json'), '{not json');
  });
});
