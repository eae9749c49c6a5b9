import { requireRole, requireViewer } from '@dishpatch/shared/authorization';
import type { MutationResolvers } from '../generated/graphql.js';

export const Mutation: MutationResolvers = {
  register: (_parent, { input }, context) => context.services.sessions.register(input, context.client, context.log),
  login: (_parent, { input }, context) => context.services.sessions.login(input, context.client, context.log),
  refreshSession: (_parent, { refreshToken }, context) => context.services.sessions.refresh(refreshToken, context.client, context.log),
  logout: (_parent, _args, context) => context.services.sessions.logout(requireViewer(context), context.log),
  promoteToManager: (_parent, { userId }, context) =>
    context.services.users.updateRole(requireRole(context, 'MANAGER'), userId, 'MANAGER'),
  setUserRole: (_parent, { userId, role }, context) => context.services.users.updateRole(requireRole(context, 'MANAGER'), userId, role),
};
