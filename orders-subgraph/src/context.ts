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
  const dishById = new DataLoader((ids: readonly string[]) => services.dishes.findByIds(ids));
  return {
    dishById,
    orderById: new DataLoader((ids) => services.orders.findByIds(ids)),
    // The items' dishes come in the same query; later dish loads in this request find them.
    itemsByOrderId: new DataLoader(async (ids) => {
      const { items, dishes } = await services.orders.findItemsByOrderIds(ids);
      for (const dish of dishes) dishById.prime(dish.id, dish);
      return items;
    }),
    historyByOrderId: new DataLoader((ids) => services.orders.findHistoryByOrderIds(ids)),
  };
}
