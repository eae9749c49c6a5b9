import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from './index.js';

/**
 * A TCP proxy in front of a server, to play network faults:
 * - `cut()`: every open connection dropped and new ones refused, as when a server dies;
 * - `blackhole()`: nothing forwarded either way, sockets kept open and new ones accepted, as
 *   when packets are dropped on the way; what was sent meanwhile arrives after `restore()`,
 *   as TCP retransmission would deliver it.
 */
export class CuttableProxy {
  private readonly server: Server;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private mode: 'forwarding' | 'cut' | 'blackholed' = 'forwarding';
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => {
      if (this.mode === 'cut') {
        client.destroy();
        return;
      }
      const upstream = connect(this.target.port, this.target.host);
      const pair = { client, upstream };
      this.pairs.add(pair);
      for (const socket of [client, upstream]) {
        socket.on('close', () => {
          client.destroy();
          upstream.destroy();
          this.pairs.delete(pair);
        });
        socket.on('error', () => socket.destroy());
      }
      if (this.mode === 'forwarding') forward(pair);
      else hold(pair);
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  cut(): void {
    this.mode = 'cut';
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
  }

  blackhole(): void {
    this.mode = 'blackholed';
    for (const pair of this.pairs) hold(pair);
  }

  restore(): void {
    const wasBlackholed = this.mode === 'blackholed';
    this.mode = 'forwarding';
    if (wasBlackholed) for (const pair of this.pairs) forward(pair);
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

function forward({ client, upstream }: { client: Socket; upstream: Socket }): void {
  client.pipe(upstream);
  upstream.pipe(client);
}

/** Stops reading both ways; what arrives waits in the sockets' buffers until `forward`. */
function hold({ client, upstream }: { client: Socket; upstream: Socket }): void {
  client.unpipe(upstream);
  upstream.unpipe(client);
  client.pause();
  upstream.pause();
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
