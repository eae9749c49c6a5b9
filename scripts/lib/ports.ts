import { createServer } from 'node:net';

/** Raised when a port the system needs is taken; the message names the port, what needs it and what to do. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

/** Resolves when nothing listens on `port` (any interface); rejects with a message naming it otherwise. */
export async function assertPortFree(port: number, purpose: string, variable?: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE' && error.code !== 'EACCES') {
        reject(error);
        return;
      }
      const choose = variable ? ` or choose another port, e.g. ${variable}=${port + 100} npm start` : '';
      reject(
        new PortInUseError(
          `Port ${port} is already in use, and ${purpose} needs it${variable ? ` (${variable})` : ''}.\n` +
            `  Stop what listens there (see: ss -ltnp 'sport = :${port}')${choose}.`,
        ),
      );
    });
    probe.listen({ port, host: '0.0.0.0', exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** A port nothing listens on right now, chosen by the OS. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
