import { BadUserInputError } from '@dishpatch/shared/errors';

/**
 * The one home of Money's rules: exact arithmetic and the checks of an amount a client gives.
 * Amounts are decimal strings at the edges ("12.10", as numeric(10,2) in SQL and as the Money
 * scalar in GraphQL, see the orders subgraph's money-scalar.ts) and integer cents (BigInt) in
 * between, never a JS float.
 */

/**
 * What the scalar hands to resolvers: the client's value as given, unchecked. A scalar does not
 * know which field it fills, and Apollo reports a literal that a scalar rejects as
 * GRAPHQL_VALIDATION_FAILED without a field name; so every Money argument is checked by
 * `readMoney` with its field path and its range, which gives BAD_USER_INPUT naming the field
 * whether the value came as a literal or in a variable.
 */
export class MoneyInput {
  constructor(readonly given: unknown) {}
}

/** Bounds on one Money field, both exclusive, in cents. */
export interface MoneyRange {
  greaterThanCents: bigint;
  lessThanCents: bigint;
}

/** A dish's price: > 0 and < 100000000 (the contract; numeric(10,2) holds up to 99999999.99). */
export const PRICE_RANGE: MoneyRange = { greaterThanCents: 0n, lessThanCents: 100_000_000n * 100n };

const DECIMAL_PATTERN = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]{1,2}))?$/;
/** Longer than any amount a field accepts: refused before BigInt sees a thousand digits. */
const MAX_DECIMAL_LENGTH = 20;

/** Cents of a decimal string, or undefined when it is not a plain decimal with at most two fraction digits. */
function centsOf(text: string): bigint | undefined {
  if (text.length > MAX_DECIMAL_LENGTH) return undefined;
  const match = DECIMAL_PATTERN.exec(text);
  if (!match) return undefined;
  const [, sign, whole, fraction = ''] = match;
  const cents = BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0'));
  return sign === '-' ? -cents : cents;
}

/** Formats cents with exactly two fraction digits: 3630n → "36.30". */
export function formatCents(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const absolute = cents < 0n ? -cents : cents;
  return `${sign}${absolute / 100n}.${(absolute % 100n).toString().padStart(2, '0')}`;
}

/** Cents of an amount this service stored or computed (numeric text from PostgreSQL). */
export function toCents(amount: string): bigint {
  const cents = centsOf(amount);
  if (cents === undefined) throw new Error(`Not a money amount: ${JSON.stringify(amount)}`);
  return cents;
}

/** unit × quantity, exact: ("12.10", 3) → "36.30". */
export function multiplyMoney(unit: string, quantity: number): string {
  if (!Number.isSafeInteger(quantity)) throw new Error(`Not an integer quantity: ${quantity}`);
  return formatCents(toCents(unit) * BigInt(quantity));
}

/** The exact sum of amounts. */
export function sumMoney(amounts: readonly string[]): string {
  return formatCents(amounts.reduce((total, amount) => total + toCents(amount), 0n));
}

/**
 * Checks a Money argument against the format and its field's range and returns it as a
 * normalized decimal string ("12.5" → "12.50"); anything else is BAD_USER_INPUT naming `field`.
 */
export function readMoney(input: MoneyInput, field: string, range: MoneyRange): string {
  const { given } = input;
  if (typeof given !== 'string') {
    throw new BadUserInputError(field, 'must be a decimal string with at most two fraction digits, e.g. "12.50", not a number');
  }
  const cents = centsOf(given);
  if (cents === undefined) {
    throw new BadUserInputError(field, `must be a decimal string with at most two fraction digits, e.g. "12.50"; got ${JSON.stringify(given.slice(0, 40))}`);
  }
  if (cents <= range.greaterThanCents) throw new BadUserInputError(field, `must be greater than ${formatCents(range.greaterThanCents)}`);
  if (cents >= range.lessThanCents) throw new BadUserInputError(field, `must be less than ${formatCents(range.lessThanCents)}`);
  return formatCents(cents);
}
