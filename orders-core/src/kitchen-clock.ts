/** The kitchen's tick, run by the worker: every due order one stage forward, set-based. */
export {
  DEFAULT_ADVANCE_BATCH_SIZE,
  STAGE_TRANSITIONS,
  advanceDueOrders,
  type AdvanceDueOrdersOptions,
  type AdvanceDueOrdersResult,
  type SqlExecutor,
  type StageTransition,
  type TransitionCount,
} from './orders/advance-due-orders.js';
