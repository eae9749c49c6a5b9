import { BadUserInputError } from './errors.js';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every id in dishpatch (users, sessions, dishes, orders) is a UUID; this is the one check of that shape. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

/**
 * An id argument, refused with BAD_USER_INPUT naming `field` before it reaches SQL (where a
 * malformed uuid would be an internal error). Lower-cased, as PostgreSQL prints uuids.
 */
export function requireUuid(value: string, field: string): string {
  if (!isUuid(value)) throw new BadUserInputError(field, 'must be an id (a UUID)');
  return value.toLowerCase();
}
