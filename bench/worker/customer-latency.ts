import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createOrdersDataSource } from '@dishpatch/orders-core/data-source';
import { DishService } from '@dishpatch/orders-core/dishes';
import { MoneyInput } from '@dishpatch/orders-core/money';
import { OrderService } from '@dishpatch/orders-core/orders';

/** What customers saw while a tick ran: each placeOrder and cancelOrder call's time. */
export interface CustomerLatency {
  calls: number;
  /** Orders the customers placed (and cancelled): each wrote two history rows. */
  ordersPlaced: number;
  p50Milliseconds: number;
  p99Milliseconds: number;
  maxMilliseconds: number;
}

/** A customer's place-then-cancel every this many milliseconds: steady traffic, not a load test. */
const PAUSE_MILLISECONDS = 20;

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

/**
 * Customers placing and cancelling orders through the orders service (the SQL the API runs for
 * placeOrder and cancelOrder, without the HTTP and GraphQL layers) while `work` runs, on their
 * own connections. Each call is timed; the calls never overlap one another, so a call that waits
 * on a lock the tick holds shows as one slow call, not as a queue.
 */
export async function measureCustomerLatency<T>(url: string, work: () => Promise<T>): Promise<{ result: T; latency: CustomerLatency }> {
  const dataSource = createOrdersDataSource({ url, poolSize: 2 });
  await dataSource.initialize();
  try {
    const dish = await new DishService(dataSource).create({ name: 'Bench soup', price: new MoneyInput('9.50'), quantity: 1_000_000_000 });
    const orders = new OrderService(dataSource);
    const customer = { userId: randomUUID(), role: 'CUSTOMER' as const, sessionId: randomUUID() };
    const milliseconds: number[] = [];
    let ordersPlaced = 0;
    const timed = async <R>(call: () => Promise<R>): Promise<R> => {
      const started = performance.now();
      const value = await call();
      milliseconds.push(performance.now() - started);
      return value;
    };
    let working = true;
    const customers = (async () => {
      while (working) {
        const order = await timed(() => orders.place(customer, { items: [{ dishId: dish.id, quantity: 1 }] }));
        ordersPlaced += 1;
        await timed(() => orders.cancel(customer, order.id));
        await sleep(PAUSE_MILLISECONDS);
      }
    })();
    let result: T;
    try {
      result = await work();
    } finally {
      working = false;
      await customers;
    }
    const sorted = [...milliseconds].sort((a, b) => a - b);
    return {
      result,
      latency: {
        calls: sorted.length,
        ordersPlaced,
        p50Milliseconds: percentile(sorted, 0.5),
        p99Milliseconds: percentile(sorted, 0.99),
        maxMilliseconds: sorted.at(-1) ?? Number.NaN,
      },
    };
  } finally {
    await dataSource.destroy();
  }
}
