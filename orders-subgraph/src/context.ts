import type { IncomingMessage } from 'node:http';
import DataLoader from 'dataloader';
import type { AuthenticatedContext } from '@dishpatch/shared/authorization';
import type { Authentication, TokenVerifier } from '@dishpatch/shared/tokens';
import type { DishService } from '@dishpatch/orders-core/dishes';
import type { Dish, Order, OrderItem, OrderStatusChange } from '@dishpatch/orders-core/entities';
import type { OrderService } from '@dishpatch/orders-core/orders';

/** Batches of the nested fields: one `WHERE ... = ANY` per field per tick, whatever the page size. */
export interface OrdersLoaders {
  /** Deleted dishes included: an order keeps showing what it contained. */
  dishById: DataLoader<string, Dish | null>;
  /** Unfiltered: callers apply `canSeeOrder`. */
  orderById: DataLoader<string, Order | null>;
  itemsByOrderId: DataLoader<string, OrderItem[]>;
  historyByOrderId: DataLoader<string, OrderStatusChange[]>;
}

export interface OrdersServices {
  dishes: DishService;
  orders: OrderService;
}

export interface OrdersContext extends AuthenticatedContext {
  auth: Authentication;
  services: OrdersServices;
  loaders: OrdersLoaders;
}

export function createLoaders(services: OrdersServices): OrdersLoaders {
  return {
    dishById: new DataLoader((ids) => services.dishes.findByIds(ids)),
    orderById: new DataLoader((ids) => services.orders.findByIds(ids)),
    itemsByOrderId: new DataLoader((ids) => services.orders.findItemsByOrderIds(ids)),
    historyByOrderId: new DataLoader((ids) => services.orders.findHistoryByOrderIds(ids)),
  };
}

/**
 * Per request: who is asking (an invalid token leaves the viewer null with the reason, which
 * `requireViewer` turns into UNAUTHENTICATED; public fields still answer) and fresh loaders,
 * so nothing cached outlives the request.
 */
export function createContextFactory(verifier: TokenVerifier, services: OrdersServices) {
  return async (req: IncomingMessage): Promise<OrdersContext> => ({
    auth: await verifier.authenticate(req.headers.authorization),
    services,
    loaders: createLoaders(services),
  });
}
