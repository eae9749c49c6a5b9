import type { GraphQLResolveInfo } from 'graphql';
import type { OrderFilter, OrderPage, PageArguments } from '@dishpatch/orders-core/orders';
import { primePageItems, type OrdersContext } from '../context.js';
import { selectsPath } from './selection.js';

/**
 * A page for an order connection field, with its orders' items and dishes in the same
 * statement when the query shows them (`items`, or `total`, which adds them up).
 */
export async function readOrderPage(context: OrdersContext, info: GraphQLResolveInfo, filter: OrderFilter, args: PageArguments): Promise<OrderPage> {
  const withItems = selectsPath(info, ['edges', 'node', 'items']) || selectsPath(info, ['edges', 'node', 'total']);
  const page = await context.services.orders.findPage(filter, args, { withItems });
  primePageItems(context.loaders, page.items);
  return page;
}
