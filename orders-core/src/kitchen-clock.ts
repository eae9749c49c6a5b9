/** The kitchen's tick, run by the worker: every due order one stage forward, set-based. */
export {
  DEFAULT_ADVANCE_BATCH_SIZE,
  advanceDueOrders,
  type AdvanceDueOrdersOptions,
  type AdvanceDueOrdersResult,
  type SqlExecutor,
  type TransitionCount,
} from './orders/advance-due-orders.js';
export { STAGE_TRANSITIONS, type StageTransition } from './orders/order-status.js';
