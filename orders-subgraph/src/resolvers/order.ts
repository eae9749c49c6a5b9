import { optionalViewer } from '@dishpatch/shared/authorization';
import type { OrderResolvers } from '../generated/graphql.js';
import { isUuid } from '@dishpatch/shared/ids';
import { canSeeOrder, statusHistory, totalOf } from '@dishpatch/orders-core/orders';
import { thenOrNow } from '../context.js';

export const Order: OrderResolvers = {
  // Reachable directly through `_entities`: the same rule as `order(id)`, and no data otherwise.
  __resolveReference: async ({ id }, context) => {
    const viewer = optionalViewer(context);
    const order = isUuid(id) ? await context.loaders.orderById.load(id) : null;
    return order && canSeeOrder(viewer, order) ? order : null;
  },
  customer: (order) => ({ __typename: 'User', id: order.userId }),
  items: (order, _args, context) => context.loaders.itemsByOrderId.load(order.id),
  total: (order, _args, context) => thenOrNow(context.loaders.itemsByOrderId.load(order.id), totalOf),
  statusHistory: (order) => statusHistory(order),
};
