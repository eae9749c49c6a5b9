import DataLoader from 'dataloader';
import type { SubgraphContext } from '@dishpatch/shared/subgraph';
import type { DishService } from '@dishpatch/orders-core/dishes';
import type { Dish, Order, OrderItem } from '@dishpatch/orders-core/entities';
import type { OrderService, PageItems } from '@dishpatch/orders-core/orders';

export interface OrdersServices {
  dishes: DishService;
  orders: OrderService;
}

/**
 * A DataLoader that answers at once, without a promise, for a key whose value it already
 * holds: primed (a page's items and dishes, read in the page's own statement) or read by an
 * earlier batch of this request. graphql-js completes a field whose resolver returns a plain
 * value in the same pass, while each promise costs an object's worth of promise machinery and
 * a microtask; on a page of 20 orders with their items and dishes, that machinery was most of
 * the subgraph's execution work.
 */
export class RequestLoader<K, V> {
  private readonly held = new Map<K, V>();
  private readonly loader: DataLoader<K, V>;

  constructor(batch: (keys: readonly K[]) => Promise<ArrayLike<V | Error>>) {
    this.loader = new DataLoader(async (keys: readonly K[]) => {
      const values = await batch(keys);
      keys.forEach((key, index) => {
        const value = values[index]!;
        if (!(value instanceof Error)) this.held.set(key, value);
      });
      return values;
    });
  }

  load(key: K): V | Promise<V> {
    const held = this.held.get(key);
    return held !== undefined ? held : this.loader.load(key);
  }

  prime(key: K, value: V): void {
    this.held.set(key, value);
    this.loader.prime(key, value);
  }
}

/** Batches of the nested fields: one `WHERE ... = ANY` per field per tick, whatever the page size. */
export interface OrdersLoaders {
  /** Deleted dishes included: an order keeps showing what it contained. */
  dishById: RequestLoader<string, Dish | null>;
  /** Unfiltered: callers apply `canSeeOrder`. */
  orderById: RequestLoader<string, Order | null>;
  itemsByOrderId: RequestLoader<string, OrderItem[]>;
}

export type OrdersContext = SubgraphContext<OrdersServices, OrdersLoaders>;

export function createLoaders(services: OrdersServices): OrdersLoaders {
  const dishById = new RequestLoader((ids: readonly string[]) => services.dishes.findByIds(ids));
  return {
    dishById,
    orderById: new RequestLoader((ids: readonly string[]) => services.orders.findByIds(ids)),
    // The items' dishes come in the same query; later dish loads in this request find them.
    itemsByOrderId: new RequestLoader(async (ids: readonly string[]) => {
      const { items, dishes } = await services.orders.findItemsByOrderIds(ids);
      for (const dish of dishes) dishById.prime(dish.id, dish);
      return items;
    }),
  };
}

/** Hands the items read with a page (`withItems`) to this request's loaders, so its orders' items and dishes need no query of their own. */
export function primePageItems(loaders: OrdersLoaders, items: PageItems | undefined): void {
  if (items === undefined) return;
  for (const [orderId, orderItems] of items.itemsByOrderId) loaders.itemsByOrderId.prime(orderId, orderItems);
  for (const dish of items.dishes) loaders.dishById.prime(dish.id, dish);
}

/** `fn` of a value that may still be on its way: applied at once when it is there. */
export function thenOrNow<T, R>(value: T | Promise<T>, fn: (value: T) => R): R | Promise<R> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}
