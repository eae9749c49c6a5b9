import type { UserResolvers } from '../generated/graphql.js';
import { canSeeEmail } from '../users/user-service.js';

export const User: UserResolvers = {
  __resolveReference: (reference, ctx) => ctx.loaders.userById.load(reference.id),
  email: (user, _args, ctx) => (canSeeEmail(ctx.auth.viewer, user) ? user.email : null),
};
