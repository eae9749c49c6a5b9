import type { OrderItemResolvers } from '../generated/graphql.js';
import { subtotalOf } from '@dishpatch/orders-core/orders';

export const OrderItem: OrderItemResolvers = {
  dish: async (item, _args, context) => {
    const dish = await context.loaders.dishById.load(item.dishId);
    // order_items.dish_id is a foreign key and dishes are only soft-deleted: a miss is a broken invariant.
    if (!dish) throw new Error(`Order item ${item.id} names missing dish ${item.dishId}`);
    return dish;
  },
  price: (item) => item.unitPrice,
  subtotal: (item) => subtotalOf(item),
};
