/**
 * `@dishpatch/shared/observability`: what a service tells its operators — structured logs, each
 * request's own logger that carries its request id, and Prometheus metrics.
 */
export { createLogger, type Logger } from './logger.js';
export { requestIdFrom, requestLogger } from './request-context.js';
export { ServiceMetrics } from './metrics.js';
