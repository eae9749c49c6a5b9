import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP load balancer on loopback, as a Kubernetes Service is for its pods: each new
 * connection goes to the next backend in turn; a backend that refuses the connection (its
 * process is dead) is skipped for the next one, so a killed replica only costs the requests
 * that were on its open connections. Counts the connections each backend took.
 */
export class RoundRobinProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private next = 0;
  readonly connectionsPerBackend: number[];
  port = 0;

  constructor(private readonly backendPorts: readonly number[]) {
    this.connectionsPerBackend = backendPorts.map(() => 0);
    this.server = createServer((client) => {
      this.track(client);
      client.pause();
      this.connectToBackend(client, 0);
    });
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  private connectToBackend(client: Socket, attempt: number): void {
    if (attempt >= this.backendPorts.length) {
      client.destroy();
      return;
    }
    const index = this.next++ % this.backendPorts.length;
    const upstream = connect(this.backendPorts[index]!, '127.0.0.1');
    const refused = () => {
      upstream.destroy();
      if (!client.destroyed) this.connectToBackend(client, attempt + 1);
    };
    upstream.once('error', refused);
    upstream.once('connect', () => {
      upstream.off('error', refused);
      this.connectionsPerBackend[index]!++;
      this.track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
      client.resume();
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolveListen) => this.server.listen(0, '127.0.0.1', resolveListen));
    const address = this.server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolveClose) => this.server.close(() => resolveClose()));
  }
}
