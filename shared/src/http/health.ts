import type { Logger } from 'pino';
import type { RouteHandler } from './http-server.js';
import type { ServiceMetrics } from '../observability/metrics.js';

/** A dependency the service cannot serve without; resolves when reachable, rejects otherwise. */
export type ReadinessCheck = () => Promise<unknown>;

const CHECK_TIMEOUT_MS = 2000;

/**
 * A check's failure that knows why: the dependency answered, but is not ready itself because
 * of its own dependencies (a subgraph whose Redis is down). /ready names them.
 */
export class DependencyNotReady extends Error {
  constructor(readonly unavailable: readonly string[]) {
    super(`not ready: ${unavailable.join(', ')}`);
  }
}

/** 'ok', 'unavailable', or 'unavailable (redis)' when the dependency said why. */
async function runCheck(check: ReadinessCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
      }),
    ]);
    return 'ok';
  } catch (error) {
    return error instanceof DependencyNotReady && error.unavailable.length > 0 ? `unavailable (${error.unavailable.join(', ')})` : 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/health` says the process is up; `/ready` says every named dependency answers (and which
 * does not, with 503); `/metrics` is the Prometheus text of the service's registry.
 */
export function healthRoutes(options: {
  checks: Record<string, ReadinessCheck>;
  metrics: ServiceMetrics;
  logger: Logger;
}): Record<string, RouteHandler> {
  return {
    'GET /health': () => ({ status: 200, body: JSON.stringify({ status: 'ok' }) }),
    'GET /ready': async () => {
      const names = Object.keys(options.checks);
      const results = await Promise.all(names.map((name) => runCheck(options.checks[name]!)));
      const checks = Object.fromEntries(names.map((name, index) => [name, results[index]]));
      const ready = results.every((result) => result === 'ok');
      if (!ready) options.logger.warn({ checks }, 'not ready');
      return { status: ready ? 200 : 503, body: JSON.stringify({ status: ready ? 'ready' : 'unavailable', checks }) };
    },
    'GET /metrics': async () => ({
      status: 200,
      contentType: options.metrics.registry.contentType,
      body: await options.metrics.registry.metrics(),
    }),
  };
}
