import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { GATEWAY_SECRET_HEADER, generateSharedSecret } from '@dishpatch/shared/http';
import { createCuttableTestStorage, testLogger, waitFor, type CuttableTestStorage } from '@dishpatch/shared/testing';
import { buildAuthApp, type AuthApp } from '../src/app.js';
import { LOGIN, REGISTER, testAuthConfig } from './harness.js';

const PASSWORD = 'correct horse battery';

describe('auth with Redis gone: fast SERVICE_UNAVAILABLE naming redis, and back within seconds', () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function startAuth(): Promise<{ storage: CuttableTestStorage; app: AuthApp; call: (query: string, variables: Record<string, unknown>) => Promise<{ ms: number; body: any }> }> {
    const storage = await createCuttableTestStorage('auth_redis_outage');
    cleanups.push(() => storage.cleanup());
    const secret = generateSharedSecret();
    const app = await buildAuthApp({
      config: testAuthConfig({ databaseUrl: storage.database.url, redisUrl: storage.redisUrl, redisPrefix: storage.redis.prefix, secret }),
      logger: testLogger,
    });
    cleanups.unshift(() => app.close());
    await app.migrate();
    const url = `http://127.0.0.1:${await app.http.listen(0, '127.0.0.1')}/graphql`;
    const call = async (query: string, variables: Record<string, unknown>) => {
      const started = performance.now();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [GATEWAY_SECRET_HEADER]: secret },
        body: JSON.stringify({ query, variables }),
      });
      return { ms: performance.now() - started, body: await response.json() };
    };
    return { storage, app, call };
  }

  for (const fault of ['cut', 'blackhole'] as const) {
    it(`when Redis is ${fault === 'cut' ? 'refusing connections' : 'silent (packets dropped)'}`, async () => {
      const { storage, call } = await startAuth();
      const email = `outage-${fault}@example.com`;
      const registered = await call(REGISTER, { input: { username: `outage_${fault}`, email, password: PASSWORD } });
      assert.equal(registered.body.errors, undefined, JSON.stringify(registered.body.errors));

      storage.redisProxy[fault]();
      const failed = await call(LOGIN, { input: { email, password: PASSWORD } });
      const error = failed.body.errors?.[0];
      assert.equal(error?.extensions?.code, 'SERVICE_UNAVAILABLE', JSON.stringify(failed.body));
      assert.equal(error?.extensions?.serviceName, 'redis');
      // A deadline well under the gateway's 10 s subgraph timeout (the command timeout is 0.5 s).
      assert.ok(failed.ms < 2000, `answered in ${Math.round(failed.ms)} ms`);

      storage.redisProxy.restore();
      const backAt = performance.now();
      await waitFor('login to work again', async () => ((await call(LOGIN, { input: { email, password: PASSWORD } })).body.data?.login ? true : undefined), 15_000);
      console.log(`redis ${fault}: login answered SERVICE_UNAVAILABLE (redis) in ${Math.round(failed.ms)} ms; worked again ${((performance.now() - backAt) / 1000).toFixed(1)} s after Redis was back`);
    });
  }
});
