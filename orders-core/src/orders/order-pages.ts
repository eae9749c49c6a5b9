import { preparedStatement } from '@dishpatch/shared/database';
import { isUuid } from '@dishpatch/shared/ids';
import { decodeCursor, encodeCursor, isTimestamptzText, validatePageSize } from '@dishpatch/shared/pagination';
import type { EntityManager } from 'typeorm';
import { columnReader, DishEntity, OrderEntity, OrderItemEntity, selectColumns, type Dish, type Order, type OrderItem } from '../entities/index.js';
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

export interface PageReadOptions {
  /**
   * Reads the orders' items and their dishes in the same statement, for a client that shows
   * them: one statement per page instead of two (each statement costs a round trip and a
   * write on both sides, which dominates a page's CPU).
   */
  withItems?: boolean;
}

/** A page's orders' items, in dish-id order like `OrderService.findItemsByOrderIds`, and the dishes they name. */
export interface PageItems {
  itemsByOrderId: Map<string, OrderItem[]>;
  dishes: Dish[];
}

export interface OrderPage {
  edges: Array<{ cursor: string; node: Order }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /**
   * Counted only when a client asks for it (once per page): the count reads every matching
   * row, which costs far more than the page itself once there are many orders.
   */
  totalCount: () => Promise<number>;
  /** Present when read `withItems`. */
  items?: PageItems;
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
const ITEM_PREFIX = 'item.';
const ITEM_COLUMNS = selectColumns(OrderItemEntity, 'i', ITEM_PREFIX);
const DISH_PREFIX = 'dish.';
const DISH_COLUMNS = selectColumns(DishEntity, 'd', DISH_PREFIX);
/** The joined statement's rows repeat each order's and each dish's timestamps: read as text, parsed for the rows kept. */
const readOrder = columnReader<Order>(OrderEntity, '', { timestampsAsText: true });
const readItem = columnReader<OrderItem | { id: null }>(OrderItemEntity, ITEM_PREFIX);
const readDish = columnReader<Dish>(DishEntity, DISH_PREFIX, { timestampsAsText: true });
const DISH_ID = `${DISH_PREFIX}id`;

type PageRow = Order & { positionCreatedAt: string };

/**
 * One page of orders, newest first, and the total matching the filter when asked for: one
 * query, two with the total, whatever the page size (the nested fields load through the
 * request's DataLoaders, or come with the page `withItems`). Plain SQL into plain rows, and
 * the page as a prepared statement, one per filter combination and page size (at most
 * 2 x 8 x MAX_PAGE_SIZE texts): a page is read on every request.
 *
 * The LIMIT is written into the text, not bound: PostgreSQL plans a prepared statement anew on
 * every run until a generic plan (one for any parameters) looks as cheap, and a generic plan
 * with `LIMIT $n` expects a tenth of all orders and would hash-join every order item (26 ms
 * instead of 0.2 on the bench's 100,000 orders). With the number in the text, the staff page
 * has no parameters at all and is planned once per connection (planning was 0.15-0.3 ms of
 * each run, more than running it).
 */
export async function findOrderPage(manager: EntityManager, filter: OrderFilter, args: PageArguments, options: PageReadOptions = {}): Promise<OrderPage> {
  const { first, after } = validatePageArguments(args);
  const parameters: unknown[] = [];
  const bind = (value: unknown) => `$${parameters.push(value)}`;
  const matching: string[] = [];
  if (filter.userId !== undefined) matching.push(`o.user_id = ${bind(filter.userId)}`);
  if (filter.status) matching.push(`o.status = ${bind(filter.status)}`);
  const matchingParameters = [...parameters];
  const onPage = after ? [...matching, `(o.created_at, o.id) < (CAST(${bind(after.createdAt)} AS timestamptz), CAST(${bind(after.id)} AS uuid))`] : matching;
  const where = (conditions: string[]) => (conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`);

  const pageQuery =
    `SELECT ${ORDER_COLUMNS}, CAST(o.created_at AS text) AS "positionCreatedAt" FROM orders o ${where(onPage)} ` +
    `ORDER BY o.created_at DESC, o.id DESC LIMIT ${first + 1}`;
  const { rows, items } = options.withItems
    ? readWithItems(await manager.query(preparedStatement(withItemsQuery(pageQuery), { timestampsAsText: true }), parameters))
    : { rows: (await manager.query(preparedStatement(pageQuery), parameters)) as PageRow[], items: undefined };
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
    ...(items && { items }),
  };
}

/** The page's rows, each joined with its items and their dishes: one row per item, in page order. */
function withItemsQuery(pageQuery: string): string {
  return (
    `SELECT p.*, ${ITEM_COLUMNS}, ${DISH_COLUMNS} FROM (${pageQuery}) p ` +
    'LEFT JOIN order_items i ON i.order_id = p.id LEFT JOIN dishes d ON d.id = i.dish_id ' +
    'ORDER BY p."createdAt" DESC, p.id DESC, i.dish_id'
  );
}

function readWithItems(joinedRows: Array<Record<string, unknown>>): { rows: PageRow[]; items: PageItems } {
  const rows: PageRow[] = [];
  const itemsByOrderId = new Map<string, OrderItem[]>();
  const dishes = new Map<string, Dish>();
  for (const joinedRow of joinedRows) {
    const orderId = joinedRow['id'] as string;
    let items = itemsByOrderId.get(orderId);
    if (items === undefined) {
      items = [];
      itemsByOrderId.set(orderId, items);
      rows.push({ ...readOrder(joinedRow), positionCreatedAt: joinedRow['positionCreatedAt'] as string });
    }
    // An order without items (none are placed so, but the join allows it) comes as one row of nulls.
    const item = readItem(joinedRow);
    if (item.id !== null) items.push(item);
    const dishId = joinedRow[DISH_ID] as string | null;
    if (dishId !== null && !dishes.has(dishId)) dishes.set(dishId, readDish(joinedRow));
  }
  return { rows, items: { itemsByOrderId, dishes: [...dishes.values()] } };
}
