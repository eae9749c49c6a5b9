import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCache, placeOrderInLists } from '../src/apollo/cache';
import { MenuDocument, MyOrdersDocument } from '../src/customer/operations';
import type { KitchenOrderFragment } from '../src/gql/graphql';
import { KitchenColumnDocument, KitchenUpdatesDocument } from '../src/kitchen/operations';

const dish = { __typename: 'Dish' as const, id: 'd1', name: 'Margherita' };
const order = (status: 'WAITING' | 'IN_PROGRESS' | 'DONE', updatedAt: string) => ({
  __typename: 'Order' as const,
  id: 'o1',
  status,
  specialRequests: null,
  createdAt: '2026-12-06T12:00:00.000Z',
  updatedAt,
  customer: { __typename: 'User' as const, id: 'u1', username: 'ada' },
  items: [{ __typename: 'OrderItem' as const, quantity: 2, dish }],
});
const column = (orders: KitchenOrderFragment[]) => ({
  orders: { __typename: 'OrderConnection' as const, totalCount: orders.length, edges: orders.map((node) => ({ __typename: 'OrderEdge' as const, cursor: node.id, node })) },
});

describe('the cache', () => {
  const warnings: unknown[] = [];
  beforeEach(() => {
    // Apollo's development build warns here, e.g. "Cache data may be lost when replacing…".
    vi.spyOn(console, 'warn').mockImplementation((...args) => void warnings.push(args));
    vi.spyOn(console, 'error').mockImplementation((...args) => void warnings.push(args));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    warnings.length = 0;
  });

  it('moves an order between the kitchen columns on each event, without a refetch or a warning', () => {
    const cache = createCache();
    cache.writeQuery({ query: KitchenColumnDocument, variables: { status: 'WAITING' }, data: column([order('WAITING', '2026-12-06T12:00:00.000Z')]) });
    cache.writeQuery({ query: KitchenColumnDocument, variables: { status: 'IN_PROGRESS' }, data: column([]) });

    const moved = order('IN_PROGRESS', '2026-12-06T12:00:30.000Z');
    cache.writeQuery({ query: KitchenUpdatesDocument, data: { kitchenUpdates: moved } });
    placeOrderInLists(cache, moved, ['orders']);
    const ids = (status: 'WAITING' | 'IN_PROGRESS') =>
      cache.readQuery({ query: KitchenColumnDocument, variables: { status } })?.orders.edges.map((edge) => `${edge.node.id}:${edge.node.status}`);
    expect(ids('WAITING')).toEqual([]);
    expect(ids('IN_PROGRESS')).toEqual(['o1:IN_PROGRESS']);

    const done = order('DONE', '2026-12-06T12:01:00.000Z');
    cache.writeQuery({ query: KitchenUpdatesDocument, data: { kitchenUpdates: done } });
    placeOrderInLists(cache, done, ['orders']);
    expect(ids('IN_PROGRESS')).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('replaces the menu with each menuUpdates, and one order shown with two selections, without a warning', () => {
    const cache = createCache();
    const menuDish = (quantity: number) => ({ ...dish, description: null, price: '9.50', quantity, isAvailable: true });
    cache.writeQuery({ query: MenuDocument, data: { menu: [menuDish(40)] } });
    cache.writeQuery({ query: MenuDocument, data: { menu: [menuDish(38), { ...menuDish(5), id: 'd2', name: 'Panna Cotta' }] } });
    expect(cache.readQuery({ query: MenuDocument })?.menu.map((item) => `${item.name}:${item.quantity}`)).toEqual(['Margherita:38', 'Panna Cotta:5']);

    // The customer's selection of the order, then the kitchen's (other fields of its items).
    const customerOrder = {
      ...order('WAITING', '2026-12-06T12:00:00.000Z'),
      total: '19.00',
      items: [{ __typename: 'OrderItem' as const, quantity: 2, price: '9.50', subtotal: '19.00', dish }],
      statusHistory: [{ __typename: 'OrderStatusChange' as const, status: 'WAITING' as const, at: '2026-12-06T12:00:00.000Z' }],
    };
    const myOrders = { __typename: 'OrderConnection', totalCount: 1, edges: [{ __typename: 'OrderEdge', cursor: 'o1', node: customerOrder }] };
    cache.writeQuery({ query: MyOrdersDocument, data: { myOrders } });
    cache.writeQuery({ query: KitchenUpdatesDocument, data: { kitchenUpdates: order('IN_PROGRESS', '2026-12-06T12:00:30.000Z') } });
    expect(warnings).toEqual([]);
    expect(cache.readQuery({ query: MyOrdersDocument })?.myOrders.edges[0]?.node.status).toBe('IN_PROGRESS');
  });
});
