import { isUuid } from '@dishpatch/shared/ids';
import { decodeCursor, encodeCursor, isTimestamptzText, validatePageSize } from '@dishpatch/shared/pagination';
import type { EntityManager } from 'typeorm';
import { OrderEntity, type Order } from '../entities/index.js';
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

/**
 * One page of orders, newest first, and the total matching the filter when asked for: one
 * query, two with the total, whatever the page size (the nested fields load through the
 * request's DataLoaders).
 */
export async function findOrderPage(manager: EntityManager, filter: OrderFilter, args: PageArguments): Promise<OrderPage> {
  const { first, after } = validatePageArguments(args);
  const matching = manager.getRepository(OrderEntity).createQueryBuilder('o');
  if (filter.userId !== undefined) matching.andWhere('o.user_id = :userId', { userId: filter.userId });
  if (filter.status) matching.andWhere('o.status = :status', { status: filter.status });

  const page = matching.clone().addSelect('CAST(o.created_at AS text)', 'position_created_at');
  if (after) {
    page.andWhere('(o.created_at, o.id) < (CAST(:afterCreatedAt AS timestamptz), CAST(:afterId AS uuid))', {
      afterCreatedAt: after.createdAt,
      afterId: after.id,
    });
  }
  page.orderBy('o.created_at', 'DESC').addOrderBy('o.id', 'DESC').limit(first + 1);

  const { entities, raw } = await page.getRawAndEntities<{ position_created_at: string }>();
  let counting: Promise<number> | undefined;
  const edges = entities.slice(0, first).map((node, index) => ({
    cursor: encodeCursor([raw[index]!.position_created_at, node.id]),
    node,
  }));
  return {
    edges,
    pageInfo: { hasNextPage: entities.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: () => (counting ??= matching.getCount()),
  };
}
