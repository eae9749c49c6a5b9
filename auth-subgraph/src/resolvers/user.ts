import type { UserResolvers } from '../generated/graphql.js';
import { canSeeEmail } from '../users/user-service.js';

export const User: UserResolvers = {
  __resolveReference: (reference, context) => context.loaders.userById.load(reference.id),
  email: (user, _args, context) => (canSeeEmail(context.auth.viewer, user) ? user.email : null),
};
