import { InMemoryCache, type ApolloCache, type FieldMergeFunction, type Reference, type StoreObject } from '@apollo/client';
import type { OrderStatus } from '../gql/graphql';

/** An order connection's lists are kept per status filter: `orders:WAITING`, `myOrders:ALL`... */
const ALL_STATUSES = 'ALL';
const byStatus = (args: Record<string, unknown> | null) => (typeof args?.['status'] === 'string' ? args['status'] : ALL_STATUSES);
/** A list the server sends whole: the new one replaces the old (and says so, so Apollo does not warn that data may be lost). */
const replace = { merge: (_existing: unknown, incoming: unknown) => incoming };

/**
 * An order's lines never change once it is placed, and have no id: the customer's selection of
 * them and the kitchen's are merged line by line, so that each page still finds its fields.
 */
const mergeLineByLine: FieldMergeFunction<StoreObject[], StoreObject[]> = (existing, incoming, { mergeObjects }) =>
  incoming.map((line, index) => {
    const known = existing?.[index];
    return known ? mergeObjects(known, line) : line;
  });

export function createCache(): InMemoryCache {
  return new InMemoryCache({
    // Every object with an id is normalised by __typename and id (Apollo's default), so a
    // mutation's or an event's answer updates it wherever it is shown.
    typePolicies: {
      Query: {
        fields: {
          menu: replace,
          dishes: { keyArgs: ['includeUnavailable'], ...replace },
          orders: { keyArgs: byStatus, ...replace },
          myOrders: { keyArgs: byStatus, ...replace },
          users: { keyArgs: ['role'], ...replace },
        },
      },
      Subscription: { fields: { menuUpdates: replace } },
      Order: { fields: { items: { merge: mergeLineByLine }, statusHistory: replace } },
    },
  });
}

interface OrderRef {
  id: string;
  status: OrderStatus;
}

interface ConnectionInCache {
  __typename?: string;
  edges: readonly { __typename?: string; cursor: string; node: Reference }[];
  totalCount: number;
}

/**
 * Puts an order (already written to the cache by its mutation or event) in every cached order
 * list whose status filter it now matches, newest first, and takes it out of the others:
 * `fields` names the lists to keep (the kitchen's `orders`, the customer's `myOrders`).
 */
export function placeOrderInLists(cache: ApolloCache, order: OrderRef, fields: readonly ('orders' | 'myOrders')[]): void {
  const ref = cache.identify({ __typename: 'Order', id: order.id });
  if (!ref) return;
  cache.modify({
    id: 'ROOT_QUERY',
    fields: Object.fromEntries(
      fields.map((field) => [
        field,
        (value: unknown, { storeFieldName, toReference, readField }) => {
          const connection = value as ConnectionInCache;
          const filter = storeFieldName.slice(field.length + 1);
          const belongs = filter === ALL_STATUSES || filter === order.status;
          const present = connection.edges.some((edge) => readField('id', edge.node) === order.id);
          if (belongs === present) return connection;
          if (!belongs) {
            return { ...connection, edges: connection.edges.filter((edge) => readField('id', edge.node) !== order.id), totalCount: connection.totalCount - 1 };
          }
          const node = toReference(ref) as Reference;
          return { ...connection, edges: [{ __typename: 'OrderEdge', cursor: order.id, node }, ...connection.edges], totalCount: connection.totalCount + 1 };
        },
      ]),
    ),
  });
}
