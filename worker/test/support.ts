import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A free TCP port on 127.0.0.1 (for processes, like redis-server, that cannot take port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
