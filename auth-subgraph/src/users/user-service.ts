import { randomBytes } from 'node:crypto';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import { preparedStatement } from '@dishpatch/shared/database';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '@dishpatch/shared/errors';
import { isUuid, requireUuid } from '@dishpatch/shared/ids';
import { buildConnection, decodeCursor, encodeCursor, validatePageSize, type Connection } from '@dishpatch/shared/pagination';
import type { Role, Viewer } from '@dishpatch/shared/tokens';
import { userColumns, type UserRecord } from '../entities/user.js';
import type { RevocationPublisher } from '../tokens/session-revocation-publisher.js';
import type { PasswordHasher } from './passwords.js';
import { validEmail, validPassword, validUsername } from './user-input.js';

export interface RegistrationInput {
  username: string;
  email: string;
  password: string;
}

/** A registration that passed validation and whose password is already hashed. */
export interface PreparedRegistration {
  username: string;
  email: string;
  passwordHash: string;
}

export interface UserPage extends Connection<UserRecord> {
  totalCount: number;
}

/** Unique indexes of `users` (see the migration), and the input field each one protects. */
const UNIQUE_FIELD_BY_CONSTRAINT: Record<string, { field: string; message: string }> = {
  users_email_unique: { field: 'input.email', message: 'input.email: an account with this email already exists' },
  users_username_unique: { field: 'input.username', message: 'input.username: this username is taken' },
};
const UNIQUE_VIOLATION = '23505';

const DEFAULT_PAGE_SIZE = 20;

/** The `_entities` batch behind every `customer { ... }` the gateway resolves here: prepared once per connection. */
const USERS_BY_IDS = preparedStatement(`SELECT ${userColumns('users')} FROM users WHERE id = ANY($1::uuid[])`);

/** Serializes every role change, so the last-manager rule holds when two changes race. */
const ROLE_CHANGE_LOCK_KEY = 4_001_000_002;

/**
 * A user as GraphQL shows it. `shownToOwner` marks the user of an AuthPayload: whoever just
 * registered, signed in or refreshed is that user, though the request carried no token yet.
 */
export type UserView = UserRecord & { shownToOwner?: boolean };

/** The `email` of a user is for themself and managers only. */
export function canSeeEmail(viewer: Viewer | null, user: UserView): boolean {
  if (user.shownToOwner) return true;
  return viewer !== null && (viewer.userId === user.id || viewer.role === 'MANAGER');
}

/** Accounts and roles: registration, credential checks, lookups, listing, role changes. */
export class UserService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly passwords: PasswordHasher,
    /** Carries role changes' cut-offs to every verifier at once; commands without Redis leave it out (the database keeps the record). */
    private readonly revocations?: RevocationPublisher,
  ) {}

  /** Validates a registration and hashes its password, before any transaction is opened. */
  async prepareRegistration(input: RegistrationInput): Promise<PreparedRegistration> {
    const username = validUsername(input.username, 'input.username');
    const email = validEmail(input.email, 'input.email');
    const password = validPassword(input.password, 'input.password');
    return { username, email, passwordHash: await this.passwords.hash(password) };
  }

  /**
   * Inserts a user (a CUSTOMER unless said otherwise). The unique indexes decide between racing registrations; the loser's
   * unique violation becomes CONFLICT naming the field (recognised by constraint name).
   */
  async create(manager: EntityManager, registration: PreparedRegistration, role: Role = 'CUSTOMER'): Promise<UserRecord> {
    try {
      const rows: UserRecord[] = await manager.query(
        `INSERT INTO users (username, email, password_hash, role) VALUES ($1, $2, $3, $4) RETURNING ${userColumns('users')}`,
        [registration.username, registration.email, registration.passwordHash, role],
      );
      return rows[0]!;
    } catch (error) {
      const taken = uniqueViolationOf(error);
      if (taken) throw new ConflictError(taken.field, taken.message);
      throw error;
    }
  }

  /** The account these credentials open, or null; unknown emails cost a full bcrypt comparison too. */
  async verifyCredentials(email: string, password: string): Promise<UserRecord | null> {
    const rows: UserRecord[] = await this.dataSource.query(
      `SELECT ${userColumns('users')} FROM users WHERE lower(email) = lower($1)`,
      [email.trim()],
    );
    const user = rows[0] ?? null;
    const matches = await this.passwords.verify(password, user?.passwordHash ?? null);
    return matches && !password.includes('\0') ? user : null;
  }

  async findOne(id: string): Promise<UserRecord | null> {
    const [user] = await this.findByIds([requireUuid(id, 'id')]);
    return user ?? null;
  }

  /** One query for a whole batch of ids; results in key order, null for ids that name no one. */
  async findByIds(ids: readonly string[]): Promise<Array<UserRecord | null>> {
    const wellFormed = ids.filter(isUuid);
    const rows: UserRecord[] =
      wellFormed.length === 0
        ? []
        : await this.dataSource.query(USERS_BY_IDS, [wellFormed]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
  }

  /** Newest first, keyset-paginated on (created_at, id) so pages never skip or repeat a user. */
  async findAll(options: { role?: Role | null; first?: number | null; after?: string | null }): Promise<UserPage> {
    const first = validatePageSize(options.first, DEFAULT_PAGE_SIZE);
    const role = options.role ?? null;
    // The cursor holds the id only; the (created_at, id) position is read back from the row.
    const afterId = options.after ? decodeCursor(options.after, [isUuid])[0] : null;
    if (afterId !== null) {
      const anchor = await this.dataSource.query(`SELECT 1 FROM users WHERE id = $1`, [afterId]);
      if (anchor.length === 0) throw new BadUserInputError('after', 'is not a cursor this API gave out');
    }
    const [rows, totals] = await Promise.all([
      this.dataSource.query(
        `SELECT ${userColumns('users')} FROM users
          WHERE ($1::text IS NULL OR role = $1)
            AND ($2::uuid IS NULL OR (created_at, id) < (SELECT created_at, id FROM users WHERE id = $2))
          ORDER BY created_at DESC, id DESC
          LIMIT $3`,
        [role, afterId, first + 1],
      ) as Promise<UserRecord[]>,
      this.dataSource.query(`SELECT count(*)::int AS count FROM users WHERE ($1::text IS NULL OR role = $1)`, [role]) as Promise<
        Array<{ count: number }>
      >,
    ]);
    return { ...buildConnection(rows, first, (user) => encodeCursor([user.id])), totalCount: totals[0]?.count ?? 0 };
  }

  /**
   * Changes a user's role, at once: in the same transaction every access token the user was
   * issued before now is cut off (`tokens_valid_after`), and after the commit every verifier
   * hears of it through Redis; their next refresh carries the new role. The actor's role is
   * read again from the database (their token may predate a demotion), and no change may leave
   * the restaurant without a manager. Role changes take one advisory lock, so two managers
   * demoting themselves at the same moment are decided one after the other.
   */
  async updateRole(actor: Viewer, userId: string, role: Role): Promise<UserRecord> {
    const targetId = requireUuid(userId, 'userId');
    // This process's clock, the one that signs: a token it issues after the change is never older than the cut-off.
    const cutoff = new Date();
    const changed = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [ROLE_CHANGE_LOCK_KEY]);
      const roles: Array<{ id: string; role: Role }> = await manager.query(
        `SELECT id, role FROM users WHERE id = ANY($1::uuid[])`,
        [[actor.userId, targetId]],
      );
      const actorRole = roles.find((row) => row.id === actor.userId)?.role;
      if (actorRole !== 'MANAGER') throw new ForbiddenError('Only MANAGER may change roles');
      const target = roles.find((row) => row.id === targetId);
      if (!target) throw new NotFoundError(`No user with id ${targetId}`);
      if (target.role === 'MANAGER' && role !== 'MANAGER') {
        const [{ managers }] = (await manager.query(`SELECT count(*)::int AS managers FROM users WHERE role = 'MANAGER'`)) as [
          { managers: number },
        ];
        if (managers <= 1) {
          throw new ForbiddenError('You are the last manager: make someone else MANAGER before changing your own role');
        }
      }
      const rows: UserRecord[] = await manager.query(
        `WITH changed AS (
           UPDATE users
              SET role = $2,
                  updated_at = CASE WHEN role = $2 THEN updated_at ELSE now() END,
                  tokens_valid_after = CASE WHEN role = $2 THEN tokens_valid_after ELSE $3 END
            WHERE id = $1 RETURNING *
         )
         SELECT ${userColumns('changed')} FROM changed`,
        [targetId, role, cutoff],
      );
      return { user: rows[0]!, roleChanged: target.role !== role };
    });
    if (changed.roleChanged) await this.revocations?.cutOffUser(changed.user.id, cutoff.getTime());
    return changed.user;
  }

  /**
   * The first manager, outside the API (`npm run create-manager`): promotes the account with
   * this email, or creates it as a MANAGER. Running it again changes nothing; an existing
   * account keeps its password. Without a username one is made from the email (with a suffix
   * when taken). Takes the role-change lock, like every role change.
   */
  async ensureManager(account: {
    email: string;
    password: string;
    username?: string | undefined;
  }): Promise<{ outcome: EnsureManagerOutcome; user: UserRecord }> {
    const passwordHash = await this.passwords.hash(account.password);
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [ROLE_CHANGE_LOCK_KEY]);
      const [existing] = (await manager.query(
        `SELECT ${userColumns('users')} FROM users WHERE lower(email) = lower($1) FOR UPDATE`,
        [account.email],
      )) as UserRecord[];
      if (existing?.role === 'MANAGER') return { outcome: 'already-manager', user: existing };
      if (existing) {
        const [promoted] = (await manager.query(
          `WITH promoted AS (UPDATE users SET role = 'MANAGER', updated_at = now(), tokens_valid_after = now() WHERE id = $1 RETURNING *)
           SELECT ${userColumns('promoted')} FROM promoted`,
          [existing.id],
        )) as [UserRecord];
        return { outcome: 'promoted', user: promoted };
      }
      let username = account.username ?? usernameFromEmail(account.email);
      if (account.username === undefined) {
        const taken = await manager.query(`SELECT 1 FROM users WHERE lower(username) = lower($1)`, [username]);
        if (taken.length > 0) username = `${username.slice(0, 45)}-${randomBytes(2).toString('hex')}`;
      }
      const user = await this.create(manager, { username, email: account.email, passwordHash }, 'MANAGER');
      return { outcome: 'created', user };
    });
  }
}

export type EnsureManagerOutcome = 'created' | 'promoted' | 'already-manager';

/** Turns an email's local part into a username the contract accepts. */
function usernameFromEmail(email: string): string {
  const local = email.split('@')[0]!.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 50);
  return local.length >= 3 ? local : `${local}-manager`.slice(0, 50);
}

function uniqueViolationOf(error: unknown): { field: string; message: string } | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  const driverError = error.driverError as { code?: unknown; constraint?: unknown };
  if (driverError.code !== UNIQUE_VIOLATION || typeof driverError.constraint !== 'string') return undefined;
  return UNIQUE_FIELD_BY_CONSTRAINT[driverError.constraint];
}
