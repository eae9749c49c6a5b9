import { DateTimeScalar } from '@dishpatch/shared/date-time';
import type { Resolvers } from '../generated/graphql.js';
import { MoneyScalar } from '../money-scalar.js';
import { Dish } from './dish.js';
import { Mutation } from './mutation.js';
import { Order } from './order.js';
import { OrderConnection } from './order-connection.js';
import { OrderItem } from './order-item.js';
import { Query } from './query.js';
import { User } from './user.js';

export const resolvers: Resolvers = { DateTime: DateTimeScalar, Money: MoneyScalar, Query, Mutation, Dish, Order, OrderConnection, OrderItem, User };
