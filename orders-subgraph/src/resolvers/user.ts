import { isStaff, requireViewer } from '@dishpatch/shared/authorization';
import { ForbiddenError } from '@dishpatch/shared/errors';
import type { UserResolvers } from '../generated/graphql.js';
import { isUuid } from '@dishpatch/shared/ids';
import { readOrderPage } from './order-page.js';

/** All this subgraph knows of a user: the id; the gateway gets the rest from the auth subgraph. */
export interface UserReference {
  __typename?: 'User';
  id: string;
}

export const User: UserResolvers = {
  // Every user id is a UUID; anything else names no one.
  __resolveReference: ({ id }) => (isUuid(id) ? { __typename: 'User', id } : null),
  orders: (user, { status, first, after }, context, info) => {
    const viewer = requireViewer(context);
    if (viewer.userId !== user.id && !isStaff(viewer)) throw new ForbiddenError("Only the user themself and staff may see a user's orders");
    return readOrderPage(context, info, { userId: user.id, status }, { first, after });
  },
};
