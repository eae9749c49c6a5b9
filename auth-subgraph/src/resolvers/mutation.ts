import { requireRole, requireViewer } from '@dishpatch/shared/authorization';
import type { MutationResolvers } from '../generated/graphql.js';

export const Mutation: MutationResolvers = {
  register: (_parent, { input }, ctx) => ctx.sessions.register(input, ctx.client),
  login: (_parent, { input }, ctx) => ctx.sessions.login(input, ctx.client),
  refreshSession: (_parent, { refreshToken }, ctx) => ctx.sessions.refresh(refreshToken, ctx.client),
  logout: (_parent, _args, ctx) => ctx.sessions.logout(requireViewer(ctx)),
  promoteToManager: (_parent, { userId }, ctx) => ctx.users.updateRole(requireRole(ctx, 'MANAGER'), userId, 'MANAGER'),
  setUserRole: (_parent, { userId, role }, ctx) => ctx.users.updateRole(requireRole(ctx, 'MANAGER'), userId, role),
};
