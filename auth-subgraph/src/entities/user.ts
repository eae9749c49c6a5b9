import type { Role } from '@dishpatch/shared/tokens';

/** A row of `users`, as every layer of the auth subgraph sees it (and the GraphQL `User` maps to). */
export interface UserRecord {
  id: string;
  username: string;
  email: string;
  passwordHash: string;
  role: Role;
  /** Access tokens of this user issued before it are refused (set by a role change); null if never. */
  tokensValidAfter: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The one mapping of `users` columns to UserRecord: the select list of `table` (a name or
 * alias) under their TypeScript names, for every statement that returns users.
 */
export function userColumns(table: string): string {
  return [
    `${table}.id`,
    `${table}.username`,
    `${table}.email`,
    `${table}.password_hash AS "passwordHash"`,
    `${table}.role`,
    `${table}.tokens_valid_after AS "tokensValidAfter"`,
    `${table}.created_at AS "createdAt"`,
    `${table}.updated_at AS "updatedAt"`,
  ].join(', ');
}
