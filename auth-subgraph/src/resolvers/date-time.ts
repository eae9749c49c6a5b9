import { GraphQLScalarType, Kind } from 'graphql';
import { BadUserInputError } from '@dishpatch/shared/errors';

function parseDate(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new BadUserInputError('DateTime', 'must be an ISO-8601 date-time');
  return date;
}

/** ISO-8601 in UTC, from the `Date`s that PostgreSQL's timestamptz columns give. */
export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize: (value) => {
    if (value instanceof Date) return value.toISOString();
    return parseDate(value).toISOString();
  },
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});
