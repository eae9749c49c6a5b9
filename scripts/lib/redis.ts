import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { findFreePort } from './ports.js';
import { stopChild } from './stop-child.js';

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

export interface ResolvedRedis {
  url: string;
  /** How it was found, for the start banner. */
  origin: string;
}

/** Sends PING over a raw connection; true when a Redis answers PONG (or asks for a password). */
export async function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolvePing) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    const finish = (answer: boolean) => {
      socket.destroy();
      resolvePing(answer);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => finish(/^(\+PONG|-NOAUTH)/.test(data.toString('utf8'))));
  });
}

function redisServerOnPath(path: string | undefined): boolean {
  return spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore', env: { ...process.env, PATH: path } }).status === 0;
}

const HOW_TO_GET_REDIS = [
  'No Redis found: REDIS_URL is unset, nothing answers on 127.0.0.1:6379, and redis-server is not on the PATH.',
  'Get one of these, then run npm start again:',
  '  Debian/Ubuntu:  sudo apt-get install redis-server',
  '  macOS:          brew install redis',
  '  Docker:         docker run -d -p 6379:6379 redis:7 --maxmemory-policy noeviction',
  '  or point at one you have: REDIS_URL=redis://host:6379 npm start',
].join('\n');

/**
 * Redis for `npm start`: REDIS_URL when given, else 127.0.0.1:6379 when something answers
 * there, else a redis-server from the PATH started here on a free port (data under
 * `dataDir`), else an error that says how to get one.
 */
export async function resolveRedis(options: {
  url: string | undefined;
  dataDir: string;
  /** Where a Redis may already run. Default redis://127.0.0.1:6379. */
  localUrl?: string;
  /** Where redis-server is looked for. Default this process's PATH. */
  path?: string;
  onLog: (line: string) => void;
  onSpawned?: (stop: (graceMs: number) => Promise<void>) => void;
}): Promise<ResolvedRedis> {
  if (options.url) {
    if (!(await redisAnswers(options.url))) throw new RedisUnavailableError(`REDIS_URL=${options.url} does not answer. Start that Redis or unset REDIS_URL.`);
    return { url: options.url, origin: 'REDIS_URL' };
  }
  const local = options.localUrl ?? 'redis://127.0.0.1:6379';
  if (await redisAnswers(local)) return { url: local, origin: `the Redis already running on ${new URL(local).host}` };
  const path = options.path ?? process.env['PATH'];
  if (!redisServerOnPath(path)) throw new RedisUnavailableError(HOW_TO_GET_REDIS);

  const port = await findFreePort();
  mkdirSync(options.dataDir, { recursive: true });
  // The BullMQ queue must never lose keys to eviction; the append-only file keeps it across runs.
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', options.dataDir, '--save', '', '--appendonly', 'yes', '--maxmemory-policy', 'noeviction'],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, PATH: path } },
  );
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8').on('data', (chunk: string) =>
      chunk.split('\n').filter((line) => /# |WARNING|error/i.test(line)).forEach(options.onLog),
    );
  }
  const stop = async (graceMs: number): Promise<void> => {
    await stopChild(child, exited, graceMs);
  };
  // Known to the caller before Redis answers, so a Ctrl-C during start-up stops it too.
  options.onSpawned?.(stop);
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await redisAnswers(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new RedisUnavailableError(`redis-server from the PATH did not start on port ${port}`);
    }
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 50));
  }
  return {
    url,
    origin: `redis-server from the PATH, started on port ${port}`,
  };
}
