import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@dishpatch/shared/config';
import { bullPrefixOf, loadWorkerConfig } from '../src/config.js';

describe('worker config', () => {
  it('has a default for every variable', () => {
    const config = loadWorkerConfig({});
    assert.equal(config.ORDER_TICK_MS, 10_000);
    assert.equal(config.ORDER_STAGE_SECONDS, 30);
    assert.equal(config.WORKER_PORT, 4003);
    assert.equal(config.LIVE_EVENTS_POLL_MS, 500);
    assert.equal(config.LIVE_EVENTS_BATCH_SIZE, 1000);
    assert.equal(config.LIVE_EVENTS_RETENTION_SECONDS, 600);
    assert.equal(config.REDIS_PREFIX, 'dishpatch:');
    assert.equal(bullPrefixOf(config.REDIS_PREFIX), 'dishpatch');
  });

  it('refuses a bad value with a message naming the variable', () => {
    assert.throws(() => loadWorkerConfig({ ORDER_TICK_MS: 'soon' }), (error: unknown) => error instanceof ConfigError && /ORDER_TICK_MS="soon"/.test(error.message));
    assert.throws(() => loadWorkerConfig({ ORDER_STAGE_SECONDS: '0' }), (error: unknown) => error instanceof ConfigError && /ORDER_STAGE_SECONDS/.test(error.message));
    assert.throws(() => loadWorkerConfig({ ORDER_BATCH_SIZE: '-5' }), (error: unknown) => error instanceof ConfigError && /ORDER_BATCH_SIZE/.test(error.message));
    assert.throws(() => loadWorkerConfig({ LIVE_EVENTS_POLL_MS: '0' }), (error: unknown) => error instanceof ConfigError && /LIVE_EVENTS_POLL_MS/.test(error.message));
    assert.throws(() => loadWorkerConfig({ LIVE_EVENTS_BATCH_SIZE: 'many' }), (error: unknown) => error instanceof ConfigError && /LIVE_EVENTS_BATCH_SIZE/.test(error.message));
    // Below 5 minutes an SSE client could not resume: refused.
    assert.throws(() => loadWorkerConfig({ LIVE_EVENTS_RETENTION_SECONDS: '60' }), (error: unknown) => error instanceof ConfigError && /LIVE_EVENTS_RETENTION_SECONDS/.test(error.message));
    assert.throws(() => loadWorkerConfig({ ORDERS_DATABASE_URL: 'mysql://x' }), (error: unknown) => error instanceof ConfigError && /ORDERS_DATABASE_URL/.test(error.message));
  });
});
