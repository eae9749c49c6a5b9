import { BadUserInputError } from './errors.js';

/** The largest `first` any connection of the contract accepts. */
export const MAX_PAGE_SIZE = 100;

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface Edge<Node> {
  cursor: string;
  node: Node;
}

/** The contract's connection, without `totalCount` (each service decides when to count). */
export interface Connection<Node> {
  edges: Array<Edge<Node>>;
  pageInfo: PageInfo;
}

/** Checks one field of a decoded cursor; a cursor is refused unless every field passes. */
export type CursorFieldCheck = (value: string) => boolean;

/** `first`, checked before any query runs; `fallback` when the argument is optional and absent. */
export function validatePageSize(first: number | null | undefined, fallback?: number): number {
  const size = first ?? fallback;
  if (size === undefined || !Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new BadUserInputError('first', `must be 1 to ${MAX_PAGE_SIZE}, got ${first}`);
  }
  return size;
}

const TIMESTAMPTZ_TEXT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?([+-])(\d{2})(?::(\d{2}))?(?::(\d{2}))?$/;

/**
 * A cursor field check: PostgreSQL's own text of a timestamptz (as `CAST(x AS text)` gives it,
 * e.g. `2026-11-27 12:00:00.123456+00`) naming a time that exists: year 1 or later (there is
 * no year 0), a real calendar day, hour 0-23, minute and second 0-59, an offset within
 * PostgreSQL's ±15:59:59. Anything else would reach SQL and fail there.
 */
export function isTimestamptzText(value: string): boolean {
  const parts = TIMESTAMPTZ_TEXT.exec(value);
  if (!parts) return false;
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const [offsetHours, offsetMinutes, offsetSeconds] = [parts[9], parts[10], parts[11]].map((part) => Number(part ?? 0)) as [number, number, number];
  if (year < 1 || hour > 23 || minute > 59 || second > 59) return false;
  if (offsetHours > 15 || offsetMinutes > 59 || offsetSeconds > 59) return false;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * A keyset position as an opaque cursor: the position's fields (strings, in sort order) as
 * base64url JSON. Opaque on purpose: clients pass cursors back, never build them.
 */
export function encodeCursor(position: readonly string[]): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/**
 * The position a cursor holds, one string per check, each checked; anything else (not base64url
 * JSON, a different shape, a field that fails its check) is BAD_USER_INPUT on `field`, so no
 * forged value reaches SQL.
 */
export function decodeCursor<const Checks extends readonly CursorFieldCheck[]>(
  cursor: string,
  checks: Checks,
  field = 'after',
): { [Index in keyof Checks]: string } {
  const invalid = new BadUserInputError(field, 'is not a cursor this API gave out');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (!Array.isArray(decoded) || decoded.length !== checks.length) throw invalid;
  const fields = decoded as unknown[];
  if (!fields.every((value, index) => typeof value === 'string' && checks[index]!(value))) throw invalid;
  return fields as { [Index in keyof Checks]: string };
}

/**
 * One page from rows fetched with `LIMIT first + 1`: the extra row, when present, only says
 * that there is a next page.
 */
export function buildConnection<Node>(
  rows: readonly Node[],
  first: number,
  cursorOf: (node: Node, index: number) => string,
): Connection<Node> {
  const edges = rows.slice(0, first).map((node, index) => ({ cursor: cursorOf(node, index), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}
