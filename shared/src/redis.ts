import { Redis, ReplyError, type Command, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { markUnavailable } from './errors.js';
import { settlesWithin } from './lifecycle.js';

/**
 * How long a command on a request's path may wait for Redis, queued while disconnected or
 * unanswered on a silent network, before it fails as SERVICE_UNAVAILABLE (serviceName redis).
 */
export const REQUEST_COMMAND_TIMEOUT_MS = 500;
/** Longest pause between two reconnection attempts: Redis back is Redis used within about a second. */
const MAX_RETRY_DELAY_MS = 1000;

/** How long closing waits for a connection that is up to QUIT before dropping it. */
const QUIT_TIMEOUT_MS = 1000;

/**
 * A connection whose duplicates belong to the same owner. BullMQ makes each worker's blocking
 * connection with `duplicate()`; without this, that connection is one the process never sees
 * and so can never close.
 */
class OwnedRedis extends Redis {
  constructor(
    private readonly owner: RedisConnections,
    private readonly connectionName: string,
    options: RedisOptions,
  ) {
    super(options);
  }

  override duplicate(override?: Partial<RedisOptions>): Redis {
    return this.owner.adopt(`${this.connectionName} (duplicate)`, { ...this.options, ...override });
  }

  /**
   * A command that fails without an answer from Redis (timed out, connection lost or closed)
   * is marked as Redis being unavailable, so the error formatter says SERVICE_UNAVAILABLE
   * naming redis. The error itself is left as it is: libraries (BullMQ) read its message.
   */
  override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]): unknown {
    const reject = command.reject;
    command.reject = (error: Error) => {
      if (!(error instanceof ReplyError)) markUnavailable(error, 'redis');
      reject(error);
    };
    return super.sendCommand(command, stream);
  }
}

/**
 * Every Redis connection of one process, opened, watched and closed in one place.
 *
 * - Each connection has an `error` listener from birth, so no "Unhandled error event" can
 *   reach the console, and it logs one line when an outage begins and one when it ends,
 *   not one per retry.
 * - Connections keep retrying with a capped backoff instead of giving up
 *   (`maxRetriesPerRequest: null` is what BullMQ workers need).
 * - `close()` releases all of them, duplicates included, whether Redis is up, down, or lost
 *   while closing. A connection it closed stays closed: a library that tries to reconnect it
 *   afterwards (BullMQ's reconnect loop can, when a close races its watchdog) is
 *   disconnected again at once, so no retry timer keeps the process alive.
 * - A connection that ends fails every command still waiting on it, those that were in flight
 *   when it dropped included (see `failStrandedCommands`).
 */
export class RedisConnections {
  private readonly connections = new Set<Redis>();
  private readonly baseOptions: RedisOptions;
  private closing: Promise<void> | undefined;

  constructor(
    url: string,
    private readonly logger: Logger,
  ) {
    // ioredis's own reading of the URL; a lazy client opens nothing.
    this.baseOptions = {
      ...new Redis(url, { lazyConnect: true }).options,
      lazyConnect: false,
      // Once closing, a failed attempt is the last: the connection ends and its queued commands fail.
      retryStrategy: (attempt) => (this.closing ? null : Math.min(attempt * 200, MAX_RETRY_DELAY_MS)),
      enableOfflineQueue: true,
    };
  }

  /** Opens a named connection (the name is in its log lines). */
  open(name: string, options: RedisOptions = {}): Redis {
    return this.adopt(name, { ...this.baseOptions, ...options });
  }

  /** Registers and watches a new connection with these options. Used by `open` and by duplicates. */
  adopt(name: string, options: RedisOptions): Redis {
    const connection = new OwnedRedis(this, name, options);
    this.connections.add(connection);
    let inOutage = false;
    connection.on('error', (error: Error) => {
      if (this.closing || inOutage) return;
      inOutage = true;
      this.logger.warn({ err: error, connection: name }, 'redis unreachable; retrying until it is back');
    });
    connection.on('ready', () => {
      if (inOutage) this.logger.info({ connection: name }, 'redis reconnected');
      inOutage = false;
    });
    connection.on('end', () => failStrandedCommands(connection));
    for (const revival of ['connect', 'reconnecting'] as const) {
      connection.on(revival, () => {
        if (this.closing) connection.disconnect();
      });
    }
    if (this.closing) connection.disconnect();
    return connection;
  }

  /** Closes every connection; safe to call twice. Ready ones are asked to QUIT, the rest dropped. */
  close(): Promise<void> {
    this.closing ??= Promise.all([...this.connections].map(closeConnection)).then(() => undefined);
    return this.closing;
  }
}

/** How long closing waits for a connection to reach its end. */
const END_TIMEOUT_MS = 2000;

/**
 * A ready connection is asked to QUIT, and not for long. Between two retries a connection
 * has no socket, and `disconnect()` alone would only cancel the next retry and leave its
 * queued commands (BullMQ's own close among them) waiting forever; one last attempt, which
 * the closing retry strategy does not repeat, ends it properly and fails those commands.
 */
async function closeConnection(connection: Redis): Promise<void> {
  if (connection.status === 'end') return;
  const ended = new Promise<void>((resolve) => connection.once('end', () => resolve()));
  if (connection.status === 'ready') {
    await settlesWithin(connection.quit(), QUIT_TIMEOUT_MS);
    connection.disconnect();
  } else if (connection.status === 'reconnecting') {
    connection.disconnect();
    connection.connect().catch(() => undefined);
  } else {
    connection.disconnect();
  }
  if (!hasEnded(connection)) await settlesWithin(ended, END_TIMEOUT_MS);
}

/** ioredis's own message for a command on a connection that ended; BullMQ reads it as a connection error. */
const CONNECTION_CLOSED_MESSAGE = 'Connection is closed.';

/**
 * Commands that were in flight when a ready connection dropped wait in ioredis's
 * `prevCommandQueue`, to be sent again once it is ready. A reconnect attempt replaces its
 * command queue, and ending fails only the offline and command queues, so a connection that
 * ends without being ready again leaves those commands pending for good (so in ioredis 5.11;
 * redis/ioredis#2197). BullMQ's close waits for one of them (recording the tick that
 * was finishing as Redis went away) and never finishes, keeping its lock-extender and
 * stall-check timers alive. They are failed here, as ending fails the other queues.
 */
function failStrandedCommands(connection: Redis): void {
  const internals = connection as unknown as { prevCommandQueue?: { shift(): { command: Command } | undefined } | null };
  const stranded = internals.prevCommandQueue;
  if (!stranded) return;
  internals.prevCommandQueue = null;
  for (let item = stranded.shift(); item; item = stranded.shift()) item.command.reject(new Error(CONNECTION_CLOSED_MESSAGE));
}

/** Read afresh: the status changes under event handlers, which TypeScript's narrowing cannot see. */
function hasEnded(connection: Redis): boolean {
  return connection.status === 'end';
}
