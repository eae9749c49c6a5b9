/** The TypeORM entities of the orders database. */
export const ordersEntities: Function[] = [];
