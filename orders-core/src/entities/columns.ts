import { parseTimestamptz } from '@dishpatch/shared/database';
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
 * Reads one table's columns out of a row read with `selectColumns(entity, alias, prefix)`
 * (a joined row holds several tables' columns) into an object of the entity's interface. The
 * properties are known up front, so each row costs one copy per column and no walk over the
 * row's keys. `timestampsAsText`: the statement was prepared so (shared database.ts), and the
 * reader makes the Dates.
 */
export function columnReader<T>(entity: EntitySchema, prefix = '', options: { timestampsAsText?: boolean } = {}): (row: Record<string, unknown>) => T {
  const columns = Object.entries(entity.options.columns).map(([property, column]) => ({
    property,
    key: `${prefix}${property}`,
    parse: options.timestampsAsText === true && column?.type === 'timestamptz',
  }));
  return (row) => {
    const read: Record<string, unknown> = {};
    for (const { property, key, parse } of columns) {
      const value = row[key];
      read[property] = parse && typeof value === 'string' ? parseTimestamptz(value) : value;
    }
    return read as T;
  };
}
