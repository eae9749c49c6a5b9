import { createHash } from 'node:crypto';
import { BadUserInputError } from '@dishpatch/shared/errors';
import { requireUuid } from '@dishpatch/shared/ids';
import { refuseNul } from '../text-input.js';
import type { StockRequest } from './stock.js';

export const MAX_ORDER_LINES = 50;
export const MAX_LINE_QUANTITY = 100;
export const MAX_SPECIAL_REQUESTS_CHARS = 500;
export const MAX_IDEMPOTENCY_KEY_CHARS = 100;

export interface PlaceOrderArguments {
  items: ReadonlyArray<{ dishId: string; quantity: number }>;
  specialRequests?: string | null;
  idempotencyKey?: string | null;
}

export interface ValidOrder {
  lines: StockRequest[];
  specialRequests: string | null;
  /** The key and the request it stands for, when the client sent one. */
  idempotency: { key: string; fingerprint: string } | null;
}

/** C0 and C1 controls: never part of a key a client generates, and NUL cannot be stored at all. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** Characters as PostgreSQL counts them for varchar(n): code points, not UTF-16 units. */
function characterCount(text: string): number {
  return [...text].length;
}

/**
 * Checks a placeOrder input before anything touches the database. Every problem is
 * BAD_USER_INPUT naming its field, e.g. `input.items[3].quantity`. Special requests are
 * trimmed; blank ones are stored as none.
 */
export function validatePlaceOrderInput(input: PlaceOrderArguments): ValidOrder {
  if (input.items.length < 1 || input.items.length > MAX_ORDER_LINES) {
    throw new BadUserInputError('input.items', `must have 1 to ${MAX_ORDER_LINES} lines, got ${input.items.length}`);
  }
  const firstLineOfDish = new Map<string, number>();
  const lines = input.items.map((item, index) => {
    const field = `input.items[${index}]`;
    const dishId = requireUuid(item.dishId, `${field}.dishId`);
    const earlier = firstLineOfDish.get(dishId);
    if (earlier !== undefined) {
      throw new BadUserInputError(`${field}.dishId`, `the same dish is already ordered in input.items[${earlier}]; put the units on one line`);
    }
    firstLineOfDish.set(dishId, index);
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_LINE_QUANTITY) {
      throw new BadUserInputError(`${field}.quantity`, `must be 1 to ${MAX_LINE_QUANTITY}, got ${item.quantity}`);
    }
    return { field, dishId, quantity: item.quantity };
  });
  const specialRequests = (input.specialRequests ? refuseNul(input.specialRequests, 'input.specialRequests') : input.specialRequests)?.trim() || null;
  if (specialRequests !== null && characterCount(specialRequests) > MAX_SPECIAL_REQUESTS_CHARS) {
    throw new BadUserInputError('input.specialRequests', `must be at most ${MAX_SPECIAL_REQUESTS_CHARS} characters`);
  }
  return { lines, specialRequests, idempotency: readIdempotencyKey(input.idempotencyKey, lines, specialRequests) };
}

/**
 * The key as sent (not trimmed: a key is compared byte for byte), with a fingerprint of the
 * request: the lines in dish-id order (the order of lines does not change what is bought) and
 * the trimmed special requests, so a retry matches and another request under the same key does not.
 */
function readIdempotencyKey(key: string | null | undefined, lines: readonly StockRequest[], specialRequests: string | null): ValidOrder['idempotency'] {
  if (key === undefined || key === null) return null;
  const length = characterCount(key);
  if (length < 1 || length > MAX_IDEMPOTENCY_KEY_CHARS) {
    throw new BadUserInputError('input.idempotencyKey', `must be 1 to ${MAX_IDEMPOTENCY_KEY_CHARS} characters, got ${length}`);
  }
  if (CONTROL_CHARACTER.test(key)) throw new BadUserInputError('input.idempotencyKey', 'must not contain control characters');
  const request = {
    items: [...lines].sort((a, b) => (a.dishId < b.dishId ? -1 : a.dishId > b.dishId ? 1 : 0)).map((line) => [line.dishId, line.quantity]),
    specialRequests,
  };
  return { key, fingerprint: createHash('sha256').update(JSON.stringify(request)).digest('hex') };
}
