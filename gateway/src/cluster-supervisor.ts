import cluster, { type Worker } from 'node:cluster';
import type { Closer } from '@dishpatch/shared/lifecycle';
import type { Logger } from '@dishpatch/shared/observability';

/** What the primary sends a worker to close it (a signal could arrive twice: once from a terminal, once passed on). */
const SHUTDOWN_MESSAGE = 'dishpatch:gateway:shutdown';
/** A worker still running this long after being asked to close is killed. */
const STOP_GRACE_MS = 15_000;

/**
 * The primary of a gateway run as several processes (GATEWAY_WORKERS > 1): it forks the
 * workers, which share the listening port through Node's cluster module, asks each to close
 * on SIGTERM or SIGINT, and exits once all have (a second signal kills them). A worker that
 * dies on its own takes the others down with it and the primary exits with 1, so whatever
 * supervises the gateway sees the failure and restarts it whole.
 */
export function superviseClusterProcesses(count: number, logger: Logger): void {
  const workers = new Set<Worker>();
  let stopping = false;
  const stopAll = () => {
    if (stopping) {
      for (const worker of workers) worker.process.kill('SIGKILL');
      process.exit(1);
    }
    stopping = true;
    for (const worker of workers) worker.send(SHUTDOWN_MESSAGE);
    setTimeout(() => {
      for (const worker of workers) worker.process.kill('SIGKILL');
    }, STOP_GRACE_MS).unref();
  };

  cluster.on('exit', (worker, code, signal) => {
    workers.delete(worker);
    if (!stopping) {
      logger.error({ pid: worker.process.pid, code, signal }, 'a gateway worker died; stopping the others');
      process.exitCode = 1;
      stopAll();
    }
    if (workers.size === 0) process.exit();
  });
  for (let index = 0; index < count; index += 1) workers.add(cluster.fork());
  process.on('SIGTERM', stopAll);
  process.on('SIGINT', stopAll);
  logger.info({ workers: count }, 'gateway started its worker processes');
}

/** In a worker: the primary's request to close runs the same steps as a signal. */
export function closeWhenPrimaryAsks(closer: Closer): void {
  process.on('message', (message) => {
    if (message !== SHUTDOWN_MESSAGE) return;
    closer.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
