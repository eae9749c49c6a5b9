import { availableParallelism } from 'node:os';
import { ServiceUnavailableError } from '@dishpatch/shared/errors';

export interface PasswordWorkQueueOptions {
  /** Hashes running at once. Default: the number of cores (bcrypt runs on libuv's pool, one core each). */
  maxConcurrent?: number;
  /** Hashes waiting for a turn before new ones are refused. Default 32. */
  maxQueued?: number;
  /** Longest wait for a turn before the work is refused. Default 3000 ms, well under the gateway's 10 s subgraph timeout. */
  maxWaitMs?: number;
}

interface Waiting {
  start: () => void;
  timer: NodeJS.Timeout;
}

/**
 * Bounds bcrypt work (register, login, create-manager). bcrypt is slow on purpose; under a
 * burst, unbounded hashing piles up until the gateway gives up on requests that auth then
 * completes — accounts created for clients told they failed. So at most `maxConcurrent` hashes
 * run, a few wait, and the rest are refused at once with SERVICE_UNAVAILABLE. Refusal happens
 * before any row is written (the hash comes first), so a refused call did nothing and a retry is safe.
 */
export class PasswordWorkQueue {
  private readonly maxConcurrent: number;
  private readonly maxQueued: number;
  private readonly maxWaitMs: number;
  private running = 0;
  private readonly waiting: Waiting[] = [];

  constructor(options: PasswordWorkQueueOptions = {}) {
    this.maxConcurrent = options.maxConcurrent || availableParallelism();
    this.maxQueued = options.maxQueued ?? 32;
    this.maxWaitMs = options.maxWaitMs ?? 3000;
    if (this.maxConcurrent < 1 || this.maxQueued < 0 || this.maxWaitMs < 0) {
      throw new Error('PasswordWorkQueue needs maxConcurrent >= 1, maxQueued >= 0 and maxWaitMs >= 0');
    }
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.turn();
    try {
      return await work();
    } finally {
      this.running--;
      this.waiting.shift()?.start();
    }
  }

  private turn(): Promise<void> {
    if (this.running < this.maxConcurrent) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxQueued) return Promise.reject(busy());
    return new Promise((resolve, reject) => {
      const entry: Waiting = {
        start: () => {
          clearTimeout(entry.timer);
          this.running++;
          resolve();
        },
        timer: setTimeout(() => {
          const index = this.waiting.indexOf(entry);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(busy());
        }, this.maxWaitMs),
      };
      this.waiting.push(entry);
    });
  }
}

function busy(): ServiceUnavailableError {
  return new ServiceUnavailableError('auth', 'Too many sign-ins at once, try again shortly');
}
