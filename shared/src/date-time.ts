import { GraphQLScalarType, Kind } from 'graphql';
import { BadUserInputError } from './errors.js';

/** What the contract promises: ISO-8601 in UTC with a `Z`, milliseconds optional. */
const ISO_UTC_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const PROBLEM = 'must be an ISO-8601 date-time in UTC, e.g. "2026-11-27T12:00:00.000Z"';

function parseIsoUtc(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_UTC_PATTERN.test(value)) throw new BadUserInputError('DateTime', PROBLEM);
  const date = new Date(value);
  // The pattern lets an impossible date through (month 13, 31 February): the round trip catches it.
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value.slice(0, 10)) {
    throw new BadUserInputError('DateTime', PROBLEM);
  }
  return date;
}

/**
 * The contract's `DateTime`, for every subgraph: ISO-8601 date-time in UTC. Inputs in any
 * other form (an offset, a bare date, whatever `Date` happens to parse) are BAD_USER_INPUT;
 * outputs are the `Date`s PostgreSQL's timestamptz columns give, cut to milliseconds.
 */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'ISO-8601 date-time in UTC, e.g. 2026-11-27T12:00:00.000Z',
  serialize(value) {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
    // Reaching here is a bug in a resolver, not the client's input: an internal error.
    throw new TypeError('DateTime can only serialize a valid Date');
  },
  parseValue: parseIsoUtc,
  parseLiteral(node) {
    if (node.kind !== Kind.STRING) throw new BadUserInputError('DateTime', PROBLEM);
    return parseIsoUtc(node.value);
  },
});
