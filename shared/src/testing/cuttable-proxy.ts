import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from './index.js';

/**
 * A TCP proxy in front of a server that the test can cut (every open connection dropped and
 * new ones refused) and restore, to play an unreachable database.
 */
export class CuttableProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private cutOff = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => {
      if (this.cutOff) {
        client.destroy();
        return;
      }
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  cut(): void {
    this.cutOff = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.cutOff = false;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
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
