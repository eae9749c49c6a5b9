import type { DishResolvers } from '../generated/graphql.js';
import { isUuid } from '@dishpatch/shared/ids';

export const Dish: DishResolvers = {
  // References are ids this subgraph handed out (order items), so deleted dishes resolve too.
  __resolveReference: ({ id }, context) => (isUuid(id) ? context.loaders.dishById.load(id) : null),
};
