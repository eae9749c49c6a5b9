import DataLoader from 'dataloader';
import type { SubgraphContext } from '@dishpatch/shared/subgraph';
import type { DishService } from '@dishpatch/orders-core/dishes';
import type { Dish, Order, OrderItem, OrderStatusChange } from '@dishpatch/orders-core/entities';
import type { OrderService } from '@dishpatch/orders-core/orders';

export interface OrdersServices {
  dishes: DishService;
  orders: OrderService;
}

/** Batches of the nested fields: one `WHERE ... = ANY` per field per tick, whatever the page size. */
export interface OrdersLoaders {
  /** Deleted dishes included: an order keeps showing what it contained. */
  dishById: DataLoader<string, Dish | null>;
  /** Unfiltered: callers apply `canSeeOrder`. */
  orderById: DataLoader<string, Order | null>;
  itemsByOrderId: DataLoader<string, OrderItem[]>;
  historyByOrderId: DataLoader<string, OrderStatusChange[]>;
}

export type OrdersContext = SubgraphContext<OrdersServices, OrdersLoaders>;

export function createLoaders(services: OrdersServices): OrdersLoaders {
  return {
    dishById: new DataLoader((ids) => services.dishes.findByIds(ids)),
    orderById: new DataLoader((ids) => services.orders.findByIds(ids)),
    itemsByOrderId: new DataLoader((ids) => services.orders.findItemsByOrderIds(ids)),
    historyByOrderId: new DataLoader((ids) => services.orders.findHistoryByOrderIds(ids)),
  };
}
