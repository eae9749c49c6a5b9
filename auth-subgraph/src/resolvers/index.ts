import { DateTimeScalar } from '@dishpatch/shared/date-time';
import type { Resolvers } from '../generated/graphql.js';
import { AuthPayload } from './auth-payload.js';
import { Mutation } from './mutation.js';
import { Query } from './query.js';
import { User } from './user.js';

export const resolvers: Resolvers = { DateTime: DateTimeScalar, AuthPayload, Query, Mutation, User };
