import type { OrderItem } from '../entities/index.js';
import { multiplyMoney, sumMoney } from '../money.js';

/** A line's price × quantity, exact. */
export function subtotalOf(item: OrderItem): string {
  return multiplyMoney(item.unitPrice, item.quantity);
}

/** The sum of an order's subtotals, exact. */
export function totalOf(items: readonly OrderItem[]): string {
  return sumMoney(items.map(subtotalOf));
}
