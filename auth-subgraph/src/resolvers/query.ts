import { optionalViewer, requireRole } from '@dishpatch/shared/authorization';
import type { QueryResolvers } from '../generated/graphql.js';

export const Query: QueryResolvers = {
  me: (_parent, _args, context) => {
    const viewer = optionalViewer(context);
    return viewer ? context.loaders.userById.load(viewer.userId) : null;
  },
  user: (_parent, { id }, context) => {
    requireRole(context, 'MANAGER');
    return context.services.users.findOne(id);
  },
  users: (_parent, { role, first, after }, context) => {
    requireRole(context, 'MANAGER');
    return context.services.users.findAll({ role, first, after });
  },
};
