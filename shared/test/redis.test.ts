import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { RedisConnections } from '../src/redis.js';
import { activeResources, CuttableProxy, resourcesLeftSince, TEST_REDIS_URL, waitFor } from '../src/testing/index.js';

/** A logger that keeps each line's message and level. */
function recordingLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) });
  return { logger, lines };
}

describe('RedisConnections', () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function redisBehindProxy(): Promise<CuttableProxy> {
    const target = new URL(TEST_REDIS_URL);
    const proxy = await new CuttableProxy({ host: target.hostname, port: Number(target.port || 6379) }).start();
    cleanups.push(() => proxy.stop());
    return proxy;
  }

  it('logs one line when an outage begins and one when it ends, not one per retry', async () => {
    const proxy = await redisBehindProxy();
    const { logger, lines } = recordingLogger();
    const connections = new RedisConnections(`redis://127.0.0.1:${proxy.port}`, logger);
    const redis = connections.open('commands');
    assert.equal(await redis.ping(), 'PONG');

    proxy.cut();
    // The backoff starts at 200 ms: a few seconds is several failed retries.
    await waitFor('several failed retries', () => (redis.status === 'reconnecting' ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    proxy.restore();
    assert.equal(await redis.ping(), 'PONG');
    await connections.close();

    assert.deepEqual(
      lines.map((line) => line.msg),
      ['redis unreachable; retrying until it is back', 'redis reconnected'],
    );
  });

  it('closes the duplicates a library makes (BullMQ’s blocking connection), each with an error listener from birth', async () => {
    const before = activeResources();
    const connections = new RedisConnections(TEST_REDIS_URL, pino({ level: 'silent' }));
    const duplicate = connections.open('bullmq', { maxRetriesPerRequest: null }).duplicate();
    assert.equal(await duplicate.ping(), 'PONG');
    assert.ok(duplicate.listenerCount('error') > 0);
    await connections.close();
    assert.equal(duplicate.status, 'end');
    assert.deepEqual(await resourcesLeftSince(before), []);
  });

  it('fails the commands queued on a connection that is between retries, and leaves nothing behind', async () => {
    const proxy = await redisBehindProxy();
    const before = activeResources();
    const connections = new RedisConnections(`redis://127.0.0.1:${proxy.port}`, pino({ level: 'silent' }));
    const redis = connections.open('bullmq', { maxRetriesPerRequest: null });
    assert.equal(await redis.ping(), 'PONG');
    proxy.cut();
    await waitFor('the connection to be between retries', () => (redis.status === 'reconnecting' ? true : undefined));
    const queued = redis.get('anything');
    await connections.close();
    await assert.rejects(queued, /Connection is closed/);
    assert.deepEqual(await resourcesLeftSince(before), []);
  });

  it('fails a command that was in flight when Redis went away, even after a reconnect attempt', async () => {
    const proxy = await redisBehindProxy();
    const before = activeResources();
    const connections = new RedisConnections(`redis://127.0.0.1:${proxy.port}`, pino({ level: 'silent' }));
    const redis = connections.open('bullmq', { maxRetriesPerRequest: null });
    assert.equal(await redis.ping(), 'PONG');
    // Sent and never answered: it blocks on a list nobody fills.
    let outcome = 'pending';
    redis.blpop(`dishpatch-test:never-filled:${process.pid}:${Date.now()}`, 0).then(
      () => (outcome = 'answered'),
      (error: Error) => (outcome = error.message),
    );
    await waitFor('the command to be sent', () => (redis.commandQueue.length > 0 ? true : undefined));
    let reconnectAttempts = 0;
    // The cut proxy accepts and drops each attempt: ioredis's 'connect' starts a new command queue.
    redis.on('connect', () => (reconnectAttempts += 1));
    proxy.cut();
    await waitFor('a reconnect attempt', () => (reconnectAttempts > 0 ? true : undefined));
    await connections.close();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(outcome, 'Connection is closed.');
    assert.deepEqual(await resourcesLeftSince(before), []);
  });

  it('keeps a closed connection closed when something reconnects it afterwards', async () => {
    const proxy = await redisBehindProxy();
    const before = activeResources();
    const connections = new RedisConnections(`redis://127.0.0.1:${proxy.port}`, pino({ level: 'silent' }));
    const redis = connections.open('bullmq', { maxRetriesPerRequest: null });
    assert.equal(await redis.ping(), 'PONG');
    proxy.cut();
    await connections.close();
    // What BullMQ's reconnect loop does when a close races it.
    await redis.connect().catch(() => undefined);
    await waitFor('the revived connection to end again', () => (redis.status === 'end' ? true : undefined));
    assert.deepEqual(await resourcesLeftSince(before), []);
  });
});
