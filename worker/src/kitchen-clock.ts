import type { DataSource } from 'typeorm';
import type { Logger } from '@dishpatch/shared/observability';
import { advanceDueOrders, type AdvanceDueOrdersResult } from '@dishpatch/orders-core/kitchen-clock';
import type { WorkerMetrics } from './worker-metrics.js';

/** The BullMQ queue, scheduler and job name of the kitchen clock; every worker process shares them. */
export const KITCHEN_QUEUE = 'kitchen';
export const KITCHEN_CLOCK_SCHEDULER_ID = 'kitchen-clock';
export const TICK_JOB_NAME = 'advance-due-orders';

export interface TickOptions {
  stageSeconds: number;
  batchSize: number;
}

/** What a tick reports (also the BullMQ job's return value): moves per transition and time taken. */
export interface TickSummary {
  moved: Record<string, number>;
  total: number;
  batches: number;
  statements: number;
  durationMs: number;
}

function summarize(result: AdvanceDueOrdersResult, durationMs: number): TickSummary {
  return {
    moved: Object.fromEntries(result.transitions.map(({ from, to, moved }) => [`${from}->${to}`, moved])),
    total: result.moved,
    batches: result.batches,
    statements: result.statements,
    durationMs: Math.round(durationMs * 10) / 10,
  };
}

/**
 * One tick: connects to the database if it is not yet (so a database that was down at start,
 * or tables not yet migrated, fail this tick only), advances every due order, and logs and
 * counts what happened. A failure is logged and counted, then rethrown so BullMQ records the
 * job as failed; the next tick takes whatever this one left.
 */
export async function runKitchenTick(deps: {
  connectDatabase: () => Promise<DataSource>;
  options: TickOptions;
  logger: Logger;
  metrics: WorkerMetrics;
  jobId?: string;
}): Promise<TickSummary> {
  const started = performance.now();
  try {
    const dataSource = await deps.connectDatabase();
    const result = await advanceDueOrders(dataSource, deps.options);
    const summary = summarize(result, performance.now() - started);
    for (const { from, to, moved } of result.transitions) {
      if (moved > 0) deps.metrics.ordersMoved.inc({ from, to }, moved);
    }
    deps.metrics.tickSeconds.observe(summary.durationMs / 1000);
    deps.logger.info({ jobId: deps.jobId, ...summary }, 'kitchen tick done');
    return summary;
  } catch (error) {
    deps.metrics.ticksFailed.inc();
    deps.logger.error({ err: error, jobId: deps.jobId, durationMs: Math.round(performance.now() - started) }, 'kitchen tick failed');
    throw error;
  }
}
