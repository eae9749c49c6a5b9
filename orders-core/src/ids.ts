import { BadUserInputError } from '@dishpatch/shared/errors';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** Every id of this service is a UUID; anything else is refused before it reaches SQL. */
export function requireUuid(value: string, field: string): string {
  if (!isUuid(value)) throw new BadUserInputError(field, 'must be an id (a UUID)');
  return value.toLowerCase();
}
