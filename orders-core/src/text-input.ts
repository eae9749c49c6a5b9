import { BadUserInputError } from '@dishpatch/shared/errors';

/** PostgreSQL's text types cannot hold U+0000: it must be refused before it reaches SQL. */
const NUL = /\u0000/;
/** C0 and C1 controls: no place in a one-line name. */
const CONTROL = /\p{Cc}/u;
/** Controls, format characters (bidi overrides and isolates, zero-width spaces and joiners, BOM) and spaces. */
const INVISIBLE = /^[\p{Cc}\p{Cf}\p{Z}\s]*$/u;

/** Free text (a description, special requests): anything but NUL. */
export function refuseNul(text: string, field: string): string {
  if (NUL.test(text)) throw new BadUserInputError(field, 'must not contain a NUL character (U+0000)');
  return text;
}

/** A name: no control characters, and at least one character that shows. */
export function refuseInvisibleName(text: string, field: string): string {
  if (CONTROL.test(text)) throw new BadUserInputError(field, 'must not contain control characters');
  if (INVISIBLE.test(text)) throw new BadUserInputError(field, 'must contain a visible character, not only spaces, bidi or zero-width characters');
  return text;
}
