import type { Socket } from 'node:net';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { ConfigError, env } from './config.js';

/**
 * Runs pending migrations while holding a PostgreSQL advisory lock on a connection of its
 * own, so processes starting together (two replicas, a subgraph and a command) migrate one
 * after the other instead of racing on the same tables. The pool needs two connections or
 * more: the lock is held on one while the migrations run on another. Returns the names of
 * the migrations it ran.
 */
export async function runMigrationsUnderLock(dataSource: DataSource, lockName: string): Promise<string[]> {
  const lockHolder = dataSource.createQueryRunner();
  await lockHolder.connect();
  try {
    await lockHolder.query('SELECT pg_advisory_lock(hashtext($1))', [lockName]);
    try {
      const ran = await dataSource.runMigrations({ transaction: 'each' });
      return ran.map((migration) => migration.name);
    } finally {
      await lockHolder.query('SELECT pg_advisory_unlock(hashtext($1))', [lockName]);
    }
  } finally {
    await lockHolder.release();
  }
}

/**
 * Error codes this module gives to database failures that carry no SQLSTATE: a connection
 * that could not be had in time (or at all), and a statement abandoned at its deadline.
 */
export const DatabaseFailureCode = {
  UNREACHABLE: 'DATABASE_UNREACHABLE',
  DEADLINE_EXCEEDED: 'DATABASE_DEADLINE_EXCEEDED',
} as const;

/** The database could not answer in time: classified by its `code`, like PostgreSQL's own errors. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
  constructor(
    readonly code: (typeof DatabaseFailureCode)[keyof typeof DatabaseFailureCode],
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Deadlines of every PostgreSQL call of one process (see `postgresPoolOptions`). */
export interface DatabaseTimeouts {
  /** Most time to get a connection from the pool, a new connection's handshake included. */
  connectTimeoutMs: number;
  /** PostgreSQL's `statement_timeout`: the server cancels a statement running longer. */
  statementTimeoutMs: number;
  /**
   * PostgreSQL's `idle_in_transaction_session_timeout`: a transaction whose next statement
   * (its COMMIT included) has not arrived within this time is ended and rolled back.
   */
  idleInTransactionTimeoutMs: number;
}

/**
 * How long the client waits for a statement's answer beyond `statement_timeout` before it
 * gives the connection up: the server's own cancellation (a clean 57014) normally comes first;
 * this margin covers a network that went silent.
 */
export const QUERY_TIMEOUT_MARGIN_MS = 1000;

/** The `extra` of a TypeORM postgres data source: the pool and connection settings that carry the deadlines. */
export function postgresPoolOptions(timeouts: DatabaseTimeouts): Record<string, unknown> {
  return {
    Client: DeadlineClient,
    // pg-pool: waiting for a free connection and opening a new one both end at this deadline.
    connectionTimeoutMillis: timeouts.connectTimeoutMs,
    // Sent in the startup packet: set per connection, on the server, before any statement runs.
    statement_timeout: timeouts.statementTimeoutMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionTimeoutMs,
    lock_timeout: timeouts.statementTimeoutMs,
    // Read by DeadlineClient (pg's own query_timeout leaves the socket open; see there).
    dishpatchQueryTimeoutMs: timeouts.statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS,
    // A peer that vanished without a FIN is noticed on an idle connection too.
    keepAlive: true,
    keepAliveInitialDelayMillis: 5000,
  };
}


type QueryArguments = Parameters<pg.Client['query']>;

export interface PreparedStatementOptions {
  /**
   * Hands timestamptz columns over as PostgreSQL's text instead of Dates, for a statement
   * whose rows repeat the same timestamps (a join, where each order's and each dish's come
   * again on every line): its reader turns into Dates only the ones it keeps, with
   * `parseTimestamptz`. On a staff page of 20 orders that is 165 of 480.
   */
  timestampsAsText?: boolean;
}

const preparedStatements = new Map<string, { name: string; types?: pg.CustomTypesConfig }>();

/**
 * Marks a statement text as one PostgreSQL parses once per connection and then only binds
 * (a named prepared statement): for the hot reads, run on every request. Returns the text,
 * to pass to `query` as usual. Only for a fixed set of texts (values always as parameters):
 * each text stays prepared on every pooled connection for its lifetime.
 */
export function preparedStatement(text: string, options: PreparedStatementOptions = {}): string {
  if (!preparedStatements.has(text)) {
    preparedStatements.set(text, { name: `dishpatch_${preparedStatements.size + 1}`, ...(options.timestampsAsText && { types: TIMESTAMPS_AS_TEXT }) });
  }
  return text;
}

const TIMESTAMPTZ_OID = 1184;
const TIMESTAMPS_AS_TEXT: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMPTZ_OID ? (text: string) => text : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};
/** pg's own reading of a timestamptz (postgres-date): what the fast path leaves to it, and must equal. */
const parseAnyTimestamptz = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date | number | null;

/** The number `count` digits of `text` from `start` write, or NaN when one is not a digit. */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let index = start; index < start + count; index += 1) {
    const digit = text.charCodeAt(index) - 48;
    if (!(digit >= 0 && digit <= 9)) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * A timestamptz as PostgreSQL writes it in its ISO DateStyle, `2026-12-06 15:53:28.123456+00`
 * (or with an offset such as `+05:30` or `-03:00:00`), read into the same Date that pg's own
 * parser (postgres-date) gives, without its three regular expressions and string splits: that
 * parser was the orders subgraph's costliest function on a page of orders (5 % of its CPU).
 * Anything else (BC, infinity, a year before 100 or after 9999, another DateStyle) goes to it.
 */
export function parseTimestamptz(text: string): Date | number | null {
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  const separatorsHold =
    text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45 && text.charCodeAt(10) === 32 && text.charCodeAt(13) === 58 && text.charCodeAt(16) === 58;
  if (!separatorsHold || !(year >= 100) || Number.isNaN(month + day + hour + minute + second)) return parseAnyTimestamptz(text);
  let position = 19;
  let ms = 0;
  if (text.charCodeAt(position) === 46) {
    let end = position + 1;
    while (digitsAt(text, end, 1) >= 0) end += 1;
    if (end === position + 1) return parseAnyTimestamptz(text);
    // As postgres-date does: the fraction's milliseconds, Date.UTC dropping what is below one.
    ms = 1000 * Number(text.slice(position, end));
    position = end;
  }
  const signCode = text.charCodeAt(position);
  if (signCode !== 43 && signCode !== 45) return parseAnyTimestamptz(text);
  let offsetSeconds = 0;
  // Hours, then minutes and seconds each after a colon when there.
  for (let secondsPerUnit = 3600; secondsPerUnit >= 1 && position < text.length; secondsPerUnit /= 60) {
    if (secondsPerUnit !== 3600 && text.charCodeAt(position) !== 58) return parseAnyTimestamptz(text);
    offsetSeconds += digitsAt(text, position + 1, 2) * secondsPerUnit;
    position += 3;
  }
  if (position !== text.length || Number.isNaN(offsetSeconds)) return parseAnyTimestamptz(text);
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - (signCode === 45 ? -1 : 1) * offsetSeconds * 1000);
}

/**
 * A pg client whose every promise-returning query has a deadline (`dishpatchQueryTimeoutMs`).
 * pg's own `query_timeout` fails the query but keeps the socket, so the statement, or a COMMIT
 * held up by the network, can still reach the server later and the pool would hand the
 * connection to the next caller behind it. At its deadline this client resets its socket
 * instead (no late delivery, no reuse). Errors without a SQLSTATE become
 * DatabaseUnavailableError, so callers classify by code. A text marked `preparedStatement`
 * runs as its named prepared statement. Timestamptz values are read by `parseTimestamptz`.
 */
export class DeadlineClient extends pg.Client {
  private readonly queryTimeoutMs: number;
  private abandoned = false;

  constructor(config: pg.ClientConfig & { dishpatchQueryTimeoutMs?: number }) {
    super(config);
    this.queryTimeoutMs = config.dishpatchQueryTimeoutMs ?? 0;
    this.setTypeParser(TIMESTAMPTZ_OID, 'text', parseTimestamptz);
  }

  override connect(callback?: any): any {
    if (typeof callback === 'function') {
      return super.connect((error: Error | null) => (callback as (error: unknown) => void)(error ? asUnreachable(error) : error));
    }
    return super.connect().catch((error: unknown) => {
      throw asUnreachable(error);
    });
  }

  override query(...args: any[]): any {
    const [config, values, callback] = args as [unknown, unknown, unknown];
    const promiseForm =
      typeof values !== 'function' && typeof callback !== 'function' && typeof (config as { submit?: unknown } | null)?.submit !== 'function';
    if (!promiseForm) return (super.query as (...all: unknown[]) => unknown)(...args);
    const prepared = typeof config === 'string' ? preparedStatements.get(config) : undefined;
    const queryArguments = prepared === undefined ? args : [{ name: prepared.name, text: config, values, ...(prepared.types && { types: prepared.types }) }];
    const answer = (super.query as (...all: unknown[]) => Promise<unknown>)(...(queryArguments as QueryArguments)).catch((error: unknown) => {
      throw this.abandoned || !hasSqlState(error) ? asUnreachable(error) : error;
    });
    if (this.queryTimeoutMs <= 0) return answer;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        this.abandon();
        reject(new DatabaseUnavailableError(DatabaseFailureCode.DEADLINE_EXCEEDED, `no answer from PostgreSQL within ${this.queryTimeoutMs} ms`));
      }, this.queryTimeoutMs);
    });
    return Promise.race([answer, deadline]).finally(() => clearTimeout(timer));
  }

  /** Resets the socket: what is still buffered is never sent, and the pool drops this client. */
  private abandon(): void {
    this.abandoned = true;
    const stream = (this as unknown as { connection?: { stream?: Socket } }).connection?.stream;
    if (stream && typeof stream.resetAndDestroy === 'function' && !stream.destroyed) stream.resetAndDestroy();
    else stream?.destroy();
  }
}

function hasSqlState(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

function asUnreachable(error: unknown): unknown {
  if (error instanceof DatabaseUnavailableError || hasSqlState(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  // A socket error (ECONNREFUSED, ...) keeps its own code; both are classified as unavailable.
  if (typeof code === 'string') return error;
  return new DatabaseUnavailableError(DatabaseFailureCode.UNREACHABLE, 'PostgreSQL could not be reached in time', { cause: error });
}

/** pg's Pool, with a failed or timed-out acquire turned into a DatabaseUnavailableError. */
function classifyingPool(): typeof pg.Pool {
  return class ClassifyingPool extends pg.Pool {
    override connect(callback?: (error: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void): any {
      if (callback) return super.connect((error, client, done) => callback(error ? (asUnreachable(error) as Error) : error, client, done));
      return super.connect().catch((error: unknown) => {
        throw asUnreachable(error);
      });
    }
  } as typeof pg.Pool;
}

/** The pg module with its Pool and Client replaced, as TypeORM's `driver` option takes it. */
export const deadlinePostgresDriver: typeof pg = Object.assign(Object.create(pg) as typeof pg, { Pool: classifyingPool(), Client: DeadlineClient });

/**
 * The deadline variables every service that talks to PostgreSQL reads. Defaults sit well
 * inside the gateway's 10 s subgraph timeout (GATEWAY_SUBGRAPH_TIMEOUT_MS): a connection in
 * 2 s, a statement in 5 s (the client gives up 1 s later), so a request that meets a silent
 * database fails within about 8 s, before the gateway gives up on it.
 */
export function databaseTimeoutsConfigShapeWith(defaults: DatabaseTimeouts) {
  return {
    DATABASE_CONNECT_TIMEOUT_MS: env.intInRange(defaults.connectTimeoutMs, 100, 60_000),
    DATABASE_STATEMENT_TIMEOUT_MS: env.intInRange(defaults.statementTimeoutMs, 100, 3_600_000),
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: env.intInRange(defaults.idleInTransactionTimeoutMs, 100, 3_600_000),
  };
}

/** The defaults of the subgraphs, and of commands and tests that read no configuration. */
export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = { connectTimeoutMs: 2000, statementTimeoutMs: 5000, idleInTransactionTimeoutMs: 2000 };

export const databaseTimeoutsConfigShape = databaseTimeoutsConfigShapeWith(DEFAULT_DATABASE_TIMEOUTS);

/**
 * The timeouts from a parsed configuration, checked against each other: a statement the
 * client abandons must be one PostgreSQL can no longer commit, so the idle-in-transaction
 * timeout must end before the client's query deadline (statement timeout + 1 s); and when
 * `budgetMs` is given (the gateway's subgraph timeout), connecting plus one statement's
 * deadline must fit in it.
 */
export function databaseTimeoutsFrom(
  config: { DATABASE_CONNECT_TIMEOUT_MS: number; DATABASE_STATEMENT_TIMEOUT_MS: number; DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: number },
  budget?: { variable: string; ms: number },
): DatabaseTimeouts {
  const timeouts = {
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  };
  if (timeouts.idleInTransactionTimeoutMs >= timeouts.statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS) {
    throw new ConfigError(
      `Invalid configuration:\n  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS=${timeouts.idleInTransactionTimeoutMs}: must be below DATABASE_STATEMENT_TIMEOUT_MS + ${QUERY_TIMEOUT_MARGIN_MS} (${timeouts.statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS}), or an abandoned COMMIT could still commit after its client was told it failed`,
    );
  }
  const worstCase = timeouts.connectTimeoutMs + timeouts.statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS;
  if (budget && worstCase >= budget.ms) {
    throw new ConfigError(
      `Invalid configuration:\n  DATABASE_STATEMENT_TIMEOUT_MS=${timeouts.statementTimeoutMs}: with DATABASE_CONNECT_TIMEOUT_MS=${timeouts.connectTimeoutMs} and the 1 s client margin it takes ${worstCase} ms, not below ${budget.variable}=${budget.ms}`,
    );
  }
  return timeouts;
}
