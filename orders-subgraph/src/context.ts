import DataLoader from 'dataloader';
import type { SubgraphContext } from '@dishpatch/shared/subgraph';
import type { DishService } from '@dishpatch/orders-core/dishes';
import type { Dish, Order, OrderItem, OrderStatusChange } from '@dishpatch/orders-core/entities';
import type { OrderService, PageItems } from '@dishpatch/orders-core/orders';

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

/** Hands the items read with a page (`withItems`) to this request's loaders, so its orders' items and dishes need no query of their own. */
export function primePageItems(loaders: OrdersLoaders, items: PageItems | undefined): void {
  if (items === undefined) return;
  for (const [orderId, orderItems] of items.itemsByOrderId) loaders.itemsByOrderId.prime(orderId, orderItems);
  for (const dish of items.dishes) loaders.dishById.prime(dish.id, dish);
}
