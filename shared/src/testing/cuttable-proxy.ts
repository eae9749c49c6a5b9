import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from './index.js';

/**
 * A TCP proxy in front of a server, to play network faults:
 * - `cut()`: every open connection dropped and new ones refused, as when a server dies;
 * - `blackhole()`: nothing forwarded either way, sockets kept open and new ones accepted, as
 *   when packets are dropped on the way; what was sent meanwhile arrives after `restore()`,
 *   as TCP retransmission would deliver it. A side that closes its socket meanwhile has its
 *   close delivered only at `restore()` too: after the data it sent when it closed gracefully
 *   (FIN, which TCP retransmits like data), instead of that data when it reset the
 *   connection (RST, as `resetAndDestroy()` or a close with unread data sends: the data it
 *   had not had acknowledged is never sent again).
 */
export class CuttableProxy {
  private readonly server: Server;
  private readonly pairs = new Set<Pair>();
  private mode: 'forwarding' | 'cut' | 'blackholed' = 'forwarding';
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => {
      if (this.mode === 'cut') {
        client.destroy();
        return;
      }
      const upstream = connect(this.target.port, this.target.host);
      const pair: Pair = { client: side(client), upstream: side(upstream) };
      this.pairs.add(pair);
      for (const [from, to] of [
        [pair.client, pair.upstream],
        [pair.upstream, pair.client],
      ] as const) {
        from.socket.on('data', (chunk: Buffer) => {
          if (this.mode === 'forwarding' && from.held.length === 0) to.socket.write(chunk);
          else {
            from.firstHeldAt ??= Date.now();
            from.held.push(chunk);
          }
        });
        from.socket.on('end', () => {
          from.ended = 'fin';
          if (this.mode === 'forwarding') to.socket.end();
        });
        from.socket.on('error', () => {
          from.ended = 'rst';
          from.held = [];
        });
        from.socket.on('close', () => {
          from.ended ??= 'rst';
          if (this.mode === 'forwarding') this.close(pair);
        });
      }
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  cut(): void {
    this.mode = 'cut';
    for (const pair of this.pairs) this.close(pair);
  }

  blackhole(): void {
    this.mode = 'blackholed';
  }

  /**
   * Forwarding again: what each side sent while blackholed is delivered, then any close it
   * made. With `retransmission`, each side's held data arrives only at its sender's next
   * retransmission, as TCP does: retries after `initialRtoMs`, doubling each time from the
   * moment the side first sent unanswered data (Linux: 200 ms), so data held back for 8 s
   * arrives about 12.6 s after it was first sent. New data goes through at once.
   */
  restore(options: { retransmission?: { initialRtoMs: number } } = {}): void {
    if (this.mode === 'forwarding') return;
    this.mode = 'forwarding';
    const now = Date.now();
    for (const pair of this.pairs) {
      for (const [from, to] of [
        [pair.client, pair.upstream],
        [pair.upstream, pair.client],
      ] as const) {
        const held = from.held;
        const ended = from.ended;
        const firstHeldAt = from.firstHeldAt;
        from.held = [];
        from.firstHeldAt = undefined;
        const deliver = () => {
          if (ended === 'rst') return this.close(pair);
          for (const chunk of held) to.socket.write(chunk);
          if (ended === 'fin') to.socket.end();
        };
        const rto = options.retransmission?.initialRtoMs;
        if (rto === undefined || firstHeldAt === undefined) {
          deliver();
          continue;
        }
        let retryAt = firstHeldAt + rto;
        for (let wait = rto; retryAt < now; ) retryAt += wait *= 2;
        if (held.length > 0) from.socket.pause();
        setTimeout(() => {
          from.socket.resume();
          deliver();
        }, retryAt - now).unref();
      }
      if (!options.retransmission && (pair.client.ended === 'rst' || pair.upstream.ended === 'rst')) this.close(pair);
    }
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private close(pair: Pair): void {
    pair.client.socket.destroy();
    pair.upstream.socket.destroy();
    this.pairs.delete(pair);
  }
}

interface Side {
  socket: Socket;
  /** Data that arrived while blackholed, to deliver at restore. */
  held: Buffer[];
  /** When the oldest held chunk arrived (its sender's retransmission clock starts there). */
  firstHeldAt?: number | undefined;
  /** How this side closed, if it did: gracefully (its data is still due) or by a reset. */
  ended?: 'fin' | 'rst';
}

interface Pair {
  client: Side;
  upstream: Side;
}

function side(socket: Socket): Side {
  return { socket, held: [] };
}

export interface CuttableTestStorage {
  database: TestDatabase;
  redis: TestRedis;
  /** The database and Redis as seen through the proxies. */
  databaseUrl: string;
  redisUrl: string;
  databaseProxy: CuttableProxy;
  redisProxy: CuttableProxy;
  /** Stops the proxies, drops the database and deletes the Redis keys. */
  cleanup(): Promise<void>;
}

/** A fresh test database and Redis prefix, reached through proxies that a test cuts to play an outage. */
export async function createCuttableTestStorage(label: string): Promise<CuttableTestStorage> {
  const database = await createTestDatabase(label);
  const redis = createTestRedis(label);
  const databaseTarget = new URL(database.url);
  const databaseProxy = await new CuttableProxy({ host: databaseTarget.hostname, port: Number(databaseTarget.port || 5432) }).start();
  const redisTarget = new URL(redis.url);
  const redisProxy = await new CuttableProxy({ host: redisTarget.hostname, port: Number(redisTarget.port || 6379) }).start();
  databaseTarget.port = String(databaseProxy.port);
  return {
    database,
    redis,
    databaseUrl: databaseTarget.toString(),
    redisUrl: `redis://127.0.0.1:${redisProxy.port}`,
    databaseProxy,
    redisProxy,
    async cleanup() {
      await databaseProxy.stop();
      await redisProxy.stop();
      await database.drop();
      await redis.cleanup();
    },
  };
}
