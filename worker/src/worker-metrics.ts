import { Counter, Histogram } from 'prom-client';
import { ServiceMetrics } from '@dishpatch/shared/observability';

/** The service's registry plus what a tick does: orders moved per transition, tick time, failures. */
export class WorkerMetrics extends ServiceMetrics {
  readonly ordersMoved: Counter<'from' | 'to'>;
  readonly tickSeconds: Histogram;
  readonly ticksFailed: Counter;
  readonly liveEventsPublished: Counter<'kind'>;
  readonly liveEventEntries: Counter;

  constructor() {
    super('worker');
    this.ordersMoved = new Counter({
      name: 'worker_orders_moved_total',
      help: 'Orders the kitchen clock moved one stage forward, by transition',
      labelNames: ['from', 'to'],
      registers: [this.registry],
    });
    this.tickSeconds = new Histogram({
      name: 'worker_tick_duration_seconds',
      help: 'Duration of successful kitchen clock ticks',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [this.registry],
    });
    this.ticksFailed = new Counter({
      name: 'worker_ticks_failed_total',
      help: 'Kitchen clock ticks that failed (the next tick retries what they left)',
      registers: [this.registry],
    });
    this.liveEventsPublished = new Counter({
      name: 'worker_live_events_published_total',
      help: 'Committed changes the live-events relay published to the stream: order status changes and menu changes',
      labelNames: ['kind'],
      registers: [this.registry],
    });
    this.liveEventEntries = new Counter({
      name: 'worker_live_event_entries_total',
      help: 'Stream entries (batches) the live-events relay added',
      registers: [this.registry],
    });
  }
}
