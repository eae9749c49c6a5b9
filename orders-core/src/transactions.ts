import { setTimeout as sleep } from 'node:timers/promises';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';

/** PostgreSQL's deadlock_detected and serialization_failure: the transaction did nothing and may simply run again. */
const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']);

export function isRetryableTransactionFailure(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const code = (error.driverError as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && RETRYABLE_SQLSTATES.has(code);
}

export interface RetryOptions {
  /** Most attempts in all, the first included. Default 5. */
  attempts?: number;
  /** Told about each retry (for metrics). */
  onRetry?: (error: unknown, attempt: number) => void;
}

/**
 * Runs `work` in one READ COMMITTED transaction. Stock is always locked in id order, so
 * deadlocks should not happen; if PostgreSQL still reports one (or a serialization failure),
 * the whole transaction is rolled back and run again a bounded number of times rather than
 * leaking a database error to the client.
 */
export async function runTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await dataSource.transaction(work);
    } catch (error) {
      if (attempt >= attempts || !isRetryableTransactionFailure(error)) throw error;
      options.onRetry?.(error, attempt);
      // Jittered backoff so the transactions that collided do not collide again in lockstep.
      await sleep(Math.floor(Math.random() * 10 * attempt));
    }
  }
}
