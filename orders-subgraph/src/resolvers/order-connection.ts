import type { OrderConnectionResolvers } from '../generated/graphql.js';

export const OrderConnection: OrderConnectionResolvers = {
  totalCount: (page) => page.totalCount(),
};
