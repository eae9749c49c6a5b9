import { requireRole } from '@dishpatch/shared/authorization';
import type { QueryResolvers } from '../generated/graphql.js';

export const Query: QueryResolvers = {
  me: (_parent, _args, ctx) => (ctx.auth.viewer ? ctx.loaders.userById.load(ctx.auth.viewer.userId) : null),
  user: (_parent, { id }, ctx) => {
    requireRole(ctx, 'MANAGER');
    return ctx.users.findOne(id);
  },
  users: (_parent, { role, first, after }, ctx) => {
    requireRole(ctx, 'MANAGER');
    return ctx.users.findAll({ role, first, after });
  },
};
