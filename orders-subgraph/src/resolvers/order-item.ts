import type { OrderItemResolvers } from '../generated/graphql.js';
import { subtotalOf } from '@dishpatch/orders-core/orders';
import type { Dish, OrderItem as OrderItemRow } from '@dishpatch/orders-core/entities';
import { thenOrNow } from '../context.js';

// order_items.dish_id is a foreign key and dishes are only soft-deleted: a miss is a broken invariant.
function presentDish(item: OrderItemRow, dish: Dish | null): Dish {
  if (!dish) throw new Error(`Order item ${item.id} names missing dish ${item.dishId}`);
  return dish;
}

export const OrderItem: OrderItemResolvers = {
  dish: (item, _args, context) => thenOrNow(context.loaders.dishById.load(item.dishId), (dish) => presentDish(item, dish)),
  price: (item) => item.unitPrice,
  subtotal: (item) => subtotalOf(item),
};
