import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger, RouteHandler, ServiceMetrics } from '@dishpatch/shared';

/**
 * A plain node:http server for the worker's few routes (`METHOD /path` keys, as `healthRoutes`
 * returns). The shared HttpService needs an ApolloServer; the worker serves no GraphQL.
 */
export class HealthServer {
  readonly server: Server;

  constructor(routes: Record<string, RouteHandler>, logger: Logger, metrics: ServiceMetrics) {
    this.server = createServer((req, res) => {
      const started = process.hrtime.bigint();
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const handler = routes[`${req.method} ${path}`];
      res.on('finish', () => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        metrics.httpRequestSeconds.observe({ route: handler ? path : 'unmatched', status: String(res.statusCode) }, seconds);
      });
      if (!handler) {
        res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: 'Not found' }));
        return;
      }
      Promise.resolve(handler(req)).then(
        (response) => {
          res.writeHead(response.status, { 'content-type': response.contentType ?? 'application/json; charset=utf-8', ...response.headers });
          res.end(response.body);
        },
        (error: unknown) => {
          logger.error({ err: error, path }, 'health route failed');
          res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ error: 'Internal server error' }));
        },
      );
    });
  }

  /** Listens and resolves with the bound port (port 0 in tests). */
  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }
}
