import type { EntitySchema } from 'typeorm';
import { DishEntity } from './dish.js';
import { OrderEntity } from './order.js';
import { OrderItemEntity } from './order-item.js';

export { columnReader, selectColumns } from './columns.js';
export { DishEntity, type Dish } from './dish.js';
export { OrderEntity, type Order } from './order.js';
export { OrderItemEntity, type OrderItem } from './order-item.js';
export { type OrderStatusChange } from '../orders/status-history.js';

/** The TypeORM entities of the orders database (EntitySchema: tsx emits no decorator metadata). */
export const ordersEntities: EntitySchema[] = [DishEntity, OrderEntity, OrderItemEntity] as EntitySchema[];
