import { isUuid } from '@dishpatch/shared/ids';
import { decodeCursor, encodeCursor, isTimestamptzText, validatePageSize } from '@dishpatch/shared/pagination';
import type { EntityManager } from 'typeorm';
import { OrderEntity, selectColumns, type Order } from '../entities/index.js';
import type { OrderStatus } from './order-status.js';

export interface OrderFilter {
  /** Only this customer's orders. */
  userId?: string;
  status?: OrderStatus | null;
}

export interface PageArguments {
  first: number;
  after?: string | null;
}

export interface OrderPage {
  edges: Array<{ cursor: string; node: Order }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /**
   * Counted only when a client asks for it (once per page): the count reads every matching
   * row, which costs far more than the page itself once there are many orders.
   */
  totalCount: () => Promise<number>;
}

/**
 * A position in the newest-first order: (created_at, id). created_at travels as PostgreSQL's
 * own text of the timestamptz, because a JS Date keeps only milliseconds and would skip or
 * repeat orders created within the same millisecond.
 */
interface Position {
  createdAt: string;
  id: string;
}

function decodePosition(cursor: string): Position {
  const [createdAt, id] = decodeCursor(cursor, [isTimestamptzText, isUuid]);
  return { createdAt, id };
}

/** Checks `first` and `after` before any query runs. */
export function validatePageArguments(args: PageArguments): { first: number; after: Position | null } {
  return { first: validatePageSize(args.first), after: args.after === undefined || args.after === null ? null : decodePosition(args.after) };
}

const ORDER_COLUMNS = selectColumns(OrderEntity, 'o');

/**
 * One page of orders, newest first, and the total matching the filter when asked for: one
 * query, two with the total, whatever the page size (the nested fields load through the
 * request's DataLoaders). Plain SQL into plain rows: a page is read on every request.
 */
export async function findOrderPage(manager: EntityManager, filter: OrderFilter, args: PageArguments): Promise<OrderPage> {
  const { first, after } = validatePageArguments(args);
  const parameters: unknown[] = [];
  const bind = (value: unknown) => `$${parameters.push(value)}`;
  const matching: string[] = [];
  if (filter.userId !== undefined) matching.push(`o.user_id = ${bind(filter.userId)}`);
  if (filter.status) matching.push(`o.status = ${bind(filter.status)}`);
  const matchingParameters = [...parameters];
  const onPage = after ? [...matching, `(o.created_at, o.id) < (CAST(${bind(after.createdAt)} AS timestamptz), CAST(${bind(after.id)} AS uuid))`] : matching;
  const where = (conditions: string[]) => (conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`);

  const rows: Array<Order & { positionCreatedAt: string }> = await manager.query(
    `SELECT ${ORDER_COLUMNS}, CAST(o.created_at AS text) AS "positionCreatedAt" FROM orders o ${where(onPage)} ` +
      `ORDER BY o.created_at DESC, o.id DESC LIMIT ${bind(first + 1)}`,
    parameters,
  );
  let counting: Promise<number> | undefined;
  const count = async () => {
    const [{ count }] = (await manager.query(`SELECT count(*)::int AS count FROM orders o ${where(matching)}`, matchingParameters)) as [{ count: number }];
    return count;
  };
  const edges = rows.slice(0, first).map(({ positionCreatedAt, ...node }) => ({ cursor: encodeCursor([positionCreatedAt, node.id]), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: () => (counting ??= count()),
  };
}
