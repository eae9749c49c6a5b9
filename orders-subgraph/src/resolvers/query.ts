import { STAFF_ROLES, optionalViewer, requireRole, requireViewer } from '@dishpatch/shared/authorization';
import type { QueryResolvers } from '../generated/graphql.js';
import { readOrderPage } from './order-page.js';

export const Query: QueryResolvers = {
  menu: (_parent, _args, context) => context.services.dishes.findMenu(),
  dishes: (_parent, { includeUnavailable }, context) => {
    // What this answers depends on who asks, so a bad token is UNAUTHENTICATED even for the public part.
    optionalViewer(context);
    if (includeUnavailable) requireRole(context, 'MANAGER');
    return context.services.dishes.findAll({ includeUnavailable: includeUnavailable === true });
  },
  dish: (_parent, { id }, context) => context.services.dishes.findOneVisible(optionalViewer(context), id),
  order: (_parent, { id }, context) => context.services.orders.findOneVisible(requireViewer(context), id),
  myOrders: (_parent, { status, first, after }, context, info) => {
    const viewer = requireViewer(context);
    return readOrderPage(context, info, { userId: viewer.userId, status }, { first, after });
  },
  orders: (_parent, { status, first, after }, context, info) => {
    requireRole(context, ...STAFF_ROLES);
    return readOrderPage(context, info, { status }, { first, after });
  },
};
