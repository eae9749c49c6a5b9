/**
 * `@dishpatch/shared/observability`: what a service tells its operators — structured logs that
 * carry the request id, the request scope that id lives in, and Prometheus metrics.
 */
export { createLogger, type Logger } from './logger.js';
export { currentRequestScope, requestIdFrom, runInRequestScope, type RequestScope } from './request-context.js';
export { ServiceMetrics } from './metrics.js';
