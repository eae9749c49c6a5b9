/** Orders: placing, the status machine and its transitions, amounts, and pages of orders. */
export { OrderService, canSeeOrder, type OrderServiceOptions } from './order-service.js';
export {
  ACTIVE_STATUSES,
  CANCELLED,
  NEXT_STAGE,
  ORDER_STATUSES,
  STAGE_TRANSITIONS,
  TRANSITIONS,
  allowedTargets,
  cancellableStatuses,
  isFinal,
  type CancellableBy,
  type OrderStatus,
  type StageTransition,
  type StatusTransitions,
} from './order-status.js';
/** The transitions of one order inside the caller's transaction (the services' building blocks). */
export { advanceOneStage, cancelIfIn, recordCreation } from './order-transitions.js';
export { subtotalOf, totalOf } from './order-amounts.js';
export { statusHistory, type OrderStatusChange } from './status-history.js';
export {
  MAX_IDEMPOTENCY_KEY_CHARS,
  MAX_LINE_QUANTITY,
  MAX_ORDER_LINES,
  MAX_SPECIAL_REQUESTS_CHARS,
  validatePlaceOrderInput,
  type PlaceOrderArguments,
  type ValidOrder,
} from './order-input.js';
export { type OrderFilter, type OrderPage, type PageArguments, type PageItems, type PageReadOptions } from './order-pages.js';
