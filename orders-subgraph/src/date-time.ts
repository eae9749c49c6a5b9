import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const ISO_UTC_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

function parseIsoUtc(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_UTC_PATTERN.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError('DateTime must be an ISO-8601 date-time in UTC, e.g. "2026-11-27T12:00:00.000Z"');
  }
  return new Date(value);
}

/** ISO-8601 date-time in UTC; PostgreSQL's microseconds are cut to the milliseconds a Date holds. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'ISO-8601 date-time in UTC, e.g. 2026-11-27T12:00:00.000Z',
  serialize(value) {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
    throw new TypeError('DateTime can only serialize a valid Date');
  },
  parseValue: parseIsoUtc,
  parseLiteral(node) {
    if (node.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string');
    return parseIsoUtc(node.value);
  },
});
