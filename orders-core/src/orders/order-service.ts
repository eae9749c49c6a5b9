import { randomUUID } from 'node:crypto';
import { isStaff } from '@dishpatch/shared/authorization';
import { InvalidTransitionError, NotFoundError } from '@dishpatch/shared/errors';
import type { Viewer } from '@dishpatch/shared/tokens';
import { type DataSource, type EntityManager } from 'typeorm';
import { DishEntity, OrderEntity, OrderItemEntity, columnReader, selectColumns, type Dish, type Order, type OrderItem } from '../entities/index.js';
import { preparedStatement } from '@dishpatch/shared/database';
import { requireUuid } from '@dishpatch/shared/ids';
import { runTransaction } from '../transactions.js';
import { claimIdempotencyKey } from './idempotency-keys.js';
import { validatePlaceOrderInput, type PlaceOrderArguments } from './order-input.js';
import { findOrderPage, type OrderFilter, type OrderPage, type PageArguments, type PageReadOptions } from './order-pages.js';
import { cancellableStatuses, isFinal } from './order-status.js';
import { advanceOneStage, cancelIfIn, recordCreation } from './order-transitions.js';
import { reserveStock } from './stock.js';

export interface OrderServiceOptions {
  /** Told each time a transaction is run again after a deadlock or serialization failure. */
  onTransactionRetry?: () => void;
}

// The DataLoaders' batches run on every request: plain SQL into plain rows, prepared once per connection.
const ITEM_DISH_PREFIX = 'dish.';
const ORDERS_BY_IDS = preparedStatement(`SELECT ${selectColumns(OrderEntity, 'o')} FROM orders o WHERE o.id = ANY($1::uuid[])`);
const ITEMS_WITH_DISHES_BY_ORDER_IDS = preparedStatement(
  `SELECT ${selectColumns(OrderItemEntity, 'i')}, ${selectColumns(DishEntity, 'd', ITEM_DISH_PREFIX)} FROM order_items i JOIN dishes d ON d.id = i.dish_id ` +
    'WHERE i.order_id = ANY($1::uuid[]) ORDER BY i.dish_id',
  // A dish's timestamps come again on each line that names it: Dates are made for the first only.
  { timestampsAsText: true },
);
const readItem = columnReader<OrderItem>(OrderItemEntity);
const readItemDish = columnReader<Dish>(DishEntity, ITEM_DISH_PREFIX, { timestampsAsText: true });

/** Who may see an order: its customer and staff. Everyone else is told it does not exist. */
export function canSeeOrder(viewer: Viewer | null, order: Order): boolean {
  return viewer !== null && (isStaff(viewer) || order.userId === viewer.userId);
}

/** Orders: placing, the status machine's transitions, and reads. Every write owns its transaction. */
export class OrderService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly options: OrderServiceOptions = {},
  ) {}

  /**
   * Validates, then in one transaction takes every line's units (or none), stores each unit
   * price as it is now, and writes the order, its items and its first status change.
   * With an idempotency key, the key is claimed first: a key that already stands for an
   * order returns that order, and nothing is reserved again.
   */
  async place(viewer: Viewer, input: PlaceOrderArguments): Promise<Order> {
    const { lines, specialRequests, idempotency } = validatePlaceOrderInput(input);
    return this.transaction(async (manager) => {
      const orderId = randomUUID();
      if (idempotency) {
        const earlierOrderId = await claimIdempotencyKey(manager, viewer.userId, idempotency, orderId);
        if (earlierOrderId !== null) return manager.getRepository(OrderEntity).findOneByOrFail({ id: earlierOrderId });
      }
      const reserved = await reserveStock(manager, lines);
      await manager.getRepository(OrderEntity).insert({ id: orderId, userId: viewer.userId, specialRequests });
      await manager.getRepository(OrderItemEntity).insert(
        reserved.map((line) => ({ orderId, dishId: line.dishId, quantity: line.quantity, unitPrice: line.unitPrice })),
      );
      await recordCreation(manager, orderId);
      return manager.getRepository(OrderEntity).findOneByOrFail({ id: orderId });
    });
  }

  /** The customer while WAITING, staff while WAITING or IN_PROGRESS; the units go back in the same transaction. */
  async cancel(viewer: Viewer, id: string): Promise<Order> {
    const orderId = requireUuid(id, 'id');
    return this.transaction(async (manager) => {
      await this.findOneVisibleIn(manager, viewer, orderId);
      const byStaff = isStaff(viewer);
      if (await cancelIfIn(manager, orderId, cancellableStatuses(byStaff))) return this.findOneVisibleIn(manager, viewer, orderId);
      const current = await this.findOneVisibleIn(manager, viewer, orderId);
      if (isFinal(current.status)) throw new InvalidTransitionError(`The order is ${current.status} and can no longer be cancelled`);
      throw new InvalidTransitionError(`The order is ${current.status}: only staff can cancel it now`);
    });
  }

  /** Staff: one stage forward (WAITING → IN_PROGRESS → DONE), with its status change. */
  async advance(viewer: Viewer, id: string): Promise<Order> {
    const orderId = requireUuid(id, 'id');
    return this.transaction(async (manager) => {
      await this.findOneVisibleIn(manager, viewer, orderId);
      const moved = await advanceOneStage(manager, orderId);
      const current = await this.findOneVisibleIn(manager, viewer, orderId);
      if (moved === null) throw new InvalidTransitionError(`The order is ${current.status} and has no next stage`);
      return current;
    });
  }

  /** The order if the viewer may see it; NOT_FOUND otherwise, with nothing about it. */
  async findOneVisible(viewer: Viewer, id: string): Promise<Order> {
    return this.findOneVisibleIn(this.dataSource.manager, viewer, requireUuid(id, 'id'));
  }

  async findPage(filter: OrderFilter, args: PageArguments, options: PageReadOptions = {}): Promise<OrderPage> {
    return findOrderPage(this.dataSource.manager, filter, args, options);
  }

  /** For DataLoaders: one query, results in key order, null for misses. */
  async findByIds(ids: readonly string[]): Promise<Array<Order | null>> {
    const orders: Order[] = await this.dataSource.query(ORDERS_BY_IDS, [ids]);
    const byId = new Map(orders.map((order) => [order.id, order]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /**
   * For DataLoaders: each order's items in dish-id order (the order their stock was taken in),
   * and the dishes they name, deleted ones included: one query, since a client that shows the
   * items nearly always shows what they are.
   */
  async findItemsByOrderIds(orderIds: readonly string[]): Promise<{ items: OrderItem[][]; dishes: Dish[] }> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(ITEMS_WITH_DISHES_BY_ORDER_IDS, [orderIds]);
    const items: OrderItem[] = [];
    const dishes = new Map<string, Dish>();
    for (const row of rows) {
      const item = readItem(row);
      items.push(item);
      if (!dishes.has(item.dishId)) dishes.set(item.dishId, readItemDish(row));
    }
    return { items: groupBy(orderIds, items, (item) => item.orderId), dishes: [...dishes.values()] };
  }

  private async findOneVisibleIn(manager: EntityManager, viewer: Viewer, orderId: string): Promise<Order> {
    const order = await manager.getRepository(OrderEntity).findOneBy({ id: orderId });
    if (!order || !canSeeOrder(viewer, order)) throw new NotFoundError(`No order with id ${orderId}`);
    return order;
  }

  private transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return runTransaction(this.dataSource, work, { onRetry: () => this.options.onTransactionRetry?.() });
  }
}

function groupBy<T>(keys: readonly string[], rows: readonly T[], keyOf: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}
