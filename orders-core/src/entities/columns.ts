import type { EntitySchema } from 'typeorm';

/**
 * The select list that reads an entity's table straight into objects of its interface, each
 * column as its property (`o."user_id" AS "userId"`), for reads that skip TypeORM's hydration
 * (the hot ones: pages and DataLoader batches). pg already gives each column the JS type the
 * interfaces declare: uuid, text and numeric as strings, integers as numbers, int8 as a string,
 * timestamptz as a Date. A joined table's columns take a `prefix`, so its `id` does not
 * overwrite the first table's.
 */
export function selectColumns(entity: EntitySchema, alias: string, prefix = ''): string {
  return Object.entries(entity.options.columns)
    .map(([property, column]) => `${alias}."${column?.name ?? property}" AS "${prefix}${property}"`)
    .join(', ');
}

/**
 * Splits a joined row read with `selectColumns(entity, alias, prefix)` for the joined table:
 * its `prefix`ed fields become an object of their own.
 */
export function splitJoinedRow<Own, Joined>(row: Record<string, unknown>, prefix: string): { own: Own; joined: Joined } {
  const own: Record<string, unknown> = {};
  const joined: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith(prefix)) joined[key.slice(prefix.length)] = value;
    else own[key] = value;
  }
  return { own: own as Own, joined: joined as Joined };
}
