import { Registry, collectDefaultMetrics, Histogram } from 'prom-client';

/** One Prometheus registry per process, with Node's default metrics and request timings. */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpRequestSeconds: Histogram<'route' | 'status'>;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.httpRequestSeconds = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
  }
}
