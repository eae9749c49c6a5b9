import { optionalViewer } from '@dishpatch/shared/authorization';
import type { UserResolvers } from '../generated/graphql.js';
import { canSeeEmail } from '../users/user-service.js';

export const User: UserResolvers = {
  __resolveReference: (reference, context) => context.loaders.userById.load(reference.id),
  // The user of an AuthPayload is shown whatever token came along: a refreshSession sent with
  // the expired access token it replaces must not fail on its own answer.
  email: (user, _args, context) => (user.shownToOwner || canSeeEmail(optionalViewer(context), user) ? user.email : null),
};
