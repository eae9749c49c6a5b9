import { STAFF_ROLES, requireRole, requireViewer } from '@dishpatch/shared/authorization';
import type { MutationResolvers } from '../generated/graphql.js';

export const Mutation: MutationResolvers = {
  createDish: (_parent, { input }, context) => {
    requireRole(context, 'MANAGER');
    return context.services.dishes.create(input);
  },
  updateDish: (_parent, { id, input }, context) => {
    requireRole(context, 'MANAGER');
    return context.services.dishes.update(id, input);
  },
  deleteDish: (_parent, { id }, context) => {
    requireRole(context, 'MANAGER');
    return context.services.dishes.delete(id);
  },
  placeOrder: (_parent, { input }, context) => context.services.orders.place(requireViewer(context), input),
  cancelOrder: (_parent, { id }, context) => context.services.orders.cancel(requireViewer(context), id),
  advanceOrder: (_parent, { id }, context) => context.services.orders.advance(requireRole(context, ...STAFF_ROLES), id),
};
