import type { Resolvers } from '../generated/graphql.js';
import { AuthPayload } from './auth-payload.js';
import { DateTime } from './date-time.js';
import { Mutation } from './mutation.js';
import { Query } from './query.js';
import { User } from './user.js';

export const resolvers: Resolvers = { AuthPayload, DateTime, Query, Mutation, User };
