import type { AuthPayloadResolvers } from '../generated/graphql.js';

export const AuthPayload: AuthPayloadResolvers = {
  user: (payload) => ({ ...payload.user, shownToOwner: true }),
};
