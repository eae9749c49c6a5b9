import type { Logger } from 'pino';

/**
 * Shuts a process down in the reverse order of start (server, queue, Redis, database).
 * Each step is guarded on its own so one failure does not skip the rest; `close()` is safe
 * to call twice and concurrently (later calls share the first call's work).
 */
export class Closer {
  private readonly steps: Array<{ name: string; close: () => Promise<unknown> | unknown }> = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  /** Registers a step; steps run last-added first. */
  add(name: string, close: () => Promise<unknown> | unknown): void {
    this.steps.push({ name, close });
  }

  close(): Promise<void> {
    this.closing ??= this.runSteps();
    return this.closing;
  }

  private async runSteps(): Promise<void> {
    for (const step of [...this.steps].reverse()) {
      try {
        await step.close();
      } catch (error) {
        this.logger.error({ err: error, step: step.name }, 'shutdown step failed');
      }
    }
  }
}

/** On SIGINT/SIGTERM: close everything, then exit; a second signal or a stuck close exits anyway. */
export function closeOnSignals(closer: Closer, logger: Logger, graceMs = 10_000): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(1);
    signalled = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error('shutdown took too long, exiting');
      process.exit(1);
    }, graceMs).unref();
    closer.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/**
 * Whether `promise` settles (either way) within `timeoutMs`; it is never waited on longer. For
 * shutdown steps that must not hang on a dependency that went away.
 */
export async function settlesWithin(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const settled = promise.then(
    () => true,
    () => true,
  );
  const outcome = await Promise.race([settled, timedOut]);
  clearTimeout(timer);
  return outcome;
}
