import type { Logger } from 'pino';
import type { RouteHandler } from './http-server.js';
import type { ServiceMetrics } from '../observability/metrics.js';

/** A dependency the service cannot serve without; resolves when reachable, rejects otherwise. */
export type ReadinessCheck = () => Promise<unknown>;

const CHECK_TIMEOUT_MS = 2000;

async function runCheck(check: ReadinessCheck): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
      }),
    ]);
    return true;
  } catch {
    return false;
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
      const checks = Object.fromEntries(names.map((name, index) => [name, results[index] ? 'ok' : 'unavailable']));
      const ready = results.every(Boolean);
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
