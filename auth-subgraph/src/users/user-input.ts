import { BadUserInputError } from '@dishpatch/shared/errors';
import { MAX_PASSWORD_BYTES, MIN_PASSWORD_BYTES } from './passwords.js';

const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,50}$/;
/** A pragmatic address check: a local part without spaces or specials, and a dotted domain of valid labels. */
const EMAIL_PATTERN =
  /^[^\s@"(),:;<>[\]\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const MAX_EMAIL_LENGTH = 254;
/**
 * Controls (NUL among them, which PostgreSQL's text cannot hold) and format characters: bidi
 * overrides and isolates, zero-width spaces and joiners, the BOM. None belongs in an address,
 * and an address made of them would show as another or as nothing.
 */
const INVISIBLE_CHARACTER = /[\p{Cc}\p{Cf}]/u;

/** The one home of the contract's field rules; each failure names its argument path. */
export function validUsername(value: string, field: string): string {
  if (!USERNAME_PATTERN.test(value)) {
    throw new BadUserInputError(field, 'must be 3-50 characters, each a letter, digit, "_", "." or "-"');
  }
  return value;
}

export function validEmail(value: string, field: string): string {
  const email = value.trim();
  if (INVISIBLE_CHARACTER.test(email)) throw new BadUserInputError(field, 'must not contain control, bidi or zero-width characters');
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL_PATTERN.test(email)) {
    throw new BadUserInputError(field, 'must be a valid email address');
  }
  return email;
}

export function validPassword(value: string, field: string): string {
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes < MIN_PASSWORD_BYTES || bytes > MAX_PASSWORD_BYTES) {
    throw new BadUserInputError(field, `must be ${MIN_PASSWORD_BYTES}-${MAX_PASSWORD_BYTES} bytes long in UTF-8 (got ${bytes})`);
  }
  // bcrypt's C core stops at a NUL byte: "secret\0x" would be accepted as "secret".
  if (value.includes('\0')) throw new BadUserInputError(field, 'must not contain a NUL character');
  return value;
}
