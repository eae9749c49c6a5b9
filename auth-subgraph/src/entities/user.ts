import { EntitySchema } from 'typeorm';
import type { Role } from '@dishpatch/shared/tokens';

/** A row of `users`, as every layer of the auth subgraph sees it (and the GraphQL `User` maps to). */
export interface UserRecord {
  id: string;
  username: string;
  email: string;
  passwordHash: string;
  role: Role;
  createdAt: Date;
  updatedAt: Date;
}

/** Column types are explicit: tsx/esbuild emit no decorator metadata to infer them from. */
export const UserEntity = new EntitySchema<UserRecord>({
  name: 'User',
  tableName: 'users',
  columns: {
    id: { type: 'uuid', primary: true, generated: 'uuid' },
    username: { type: 'varchar', length: 50 },
    email: { type: 'varchar', length: 254 },
    passwordHash: { type: 'varchar', length: 60, name: 'password_hash' },
    role: { type: 'text' },
    createdAt: { type: 'timestamptz', name: 'created_at', createDate: true },
    updatedAt: { type: 'timestamptz', name: 'updated_at', updateDate: true },
  },
});

/** The `users` columns of `table` (a name or alias) under their TypeScript names, for raw statements that return users. */
export function userColumns(table: string): string {
  return [
    `${table}.id`,
    `${table}.username`,
    `${table}.email`,
    `${table}.password_hash AS "passwordHash"`,
    `${table}.role`,
    `${table}.created_at AS "createdAt"`,
    `${table}.updated_at AS "updatedAt"`,
  ].join(', ');
}
