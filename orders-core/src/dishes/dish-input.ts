import { BadUserInputError } from '@dishpatch/shared/errors';
import { PRICE_RANGE, readMoney, type MoneyInput } from '../money.js';
import { refuseInvisibleName, refuseNul } from '../text-input.js';

export const MAX_NAME_CHARS = 100;
/** Not in the contract; a bound so a description cannot be used to store megabytes. */
export const MAX_DESCRIPTION_CHARS = 2000;
/**
 * Most units a dish may be given. The column is a 32-bit integer (GraphQL's Int too), and a
 * cancel puts units back on top of whatever the stock is then: with at most 10^9 set by hand,
 * the sum overflows only if more than 1.1 * 10^9 units sat in open orders (over 11 million
 * orders of 100), which no kitchen holds. Refusing at input keeps the column, the API type
 * and the cancel path as they are; widening the column would still leave the API's Int.
 */
export const MAX_DISH_QUANTITY = 1_000_000_000;

export interface CreateDishArguments {
  name: string;
  description?: string | null;
  price: MoneyInput;
  quantity: number;
  isAvailable?: boolean | null;
}

/** Every field optional: only those given change; `undefined` means "not given". */
export interface UpdateDishArguments {
  name?: string | null;
  description?: string | null;
  price?: MoneyInput | null;
  quantity?: number | null;
  isAvailable?: boolean | null;
}

export interface DishValues {
  name: string;
  description: string | null;
  price: string;
  quantity: number;
  isAvailable: boolean;
}

/** Characters as PostgreSQL counts them for varchar(n): code points, not UTF-16 units. */
function characterCount(text: string): number {
  return [...text].length;
}

/** Names are trimmed: " Soup " and "Soup" are the same dish name, and a blank name is no name. */
function readName(value: string, field: string): string {
  const name = refuseInvisibleName(value, field).trim();
  if (characterCount(name) < 1 || characterCount(name) > MAX_NAME_CHARS) {
    throw new BadUserInputError(field, `must be 1 to ${MAX_NAME_CHARS} characters (after trimming)`);
  }
  return name;
}

/** Trimmed; blank means no description. */
function readDescription(value: string | null | undefined, field: string): string | null {
  const description = (value === null || value === undefined ? value : refuseNul(value, field))?.trim() || null;
  if (description !== null && characterCount(description) > MAX_DESCRIPTION_CHARS) {
    throw new BadUserInputError(field, `must be at most ${MAX_DESCRIPTION_CHARS} characters`);
  }
  return description;
}

function readQuantity(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_DISH_QUANTITY) {
    throw new BadUserInputError(field, `must be a whole number of units, 0 to ${MAX_DISH_QUANTITY}, got ${value}`);
  }
  return value;
}

function notNull<T>(value: T | null, field: string): T {
  if (value === null) throw new BadUserInputError(field, 'must not be null');
  return value;
}

export function validateCreateDishInput(input: CreateDishArguments): DishValues {
  return {
    name: readName(input.name, 'input.name'),
    description: readDescription(input.description, 'input.description'),
    price: readMoney(input.price, 'input.price', PRICE_RANGE),
    quantity: readQuantity(input.quantity, 'input.quantity'),
    // The SDL's default (true) fills a field left out; an explicit null is refused.
    isAvailable: input.isAvailable === undefined ? true : notNull(input.isAvailable, 'input.isAvailable'),
  };
}

/** The changes an update asks for; explicit null on a field that cannot be null is BAD_USER_INPUT. */
export function validateUpdateDishInput(input: UpdateDishArguments): Partial<DishValues> {
  const changes: Partial<DishValues> = {};
  if (input.name !== undefined) changes.name = readName(notNull(input.name, 'input.name'), 'input.name');
  if (input.description !== undefined) changes.description = readDescription(input.description, 'input.description');
  if (input.price !== undefined) changes.price = readMoney(notNull(input.price, 'input.price'), 'input.price', PRICE_RANGE);
  if (input.quantity !== undefined) changes.quantity = readQuantity(notNull(input.quantity, 'input.quantity'), 'input.quantity');
  if (input.isAvailable !== undefined) changes.isAvailable = notNull(input.isAvailable, 'input.isAvailable');
  return changes;
}
