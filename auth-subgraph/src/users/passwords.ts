import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import { PasswordWorkQueue } from './password-work-queue.js';

/** bcrypt reads at most 72 bytes; the contract caps passwords there so nothing is silently ignored. */
export const MAX_PASSWORD_BYTES = 72;
export const MIN_PASSWORD_BYTES = 8;

/**
 * bcrypt hashing with one work factor. `verify` against a missing hash still runs a full
 * comparison (against a dummy hash of the same cost), so an unknown email takes as long as a
 * wrong password and the answer time does not reveal which emails have accounts.
 */
export class PasswordHasher {
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly rounds: number,
    /** Every hash and comparison waits its turn here; SERVICE_UNAVAILABLE when it is full. */
    private readonly queue: PasswordWorkQueue = new PasswordWorkQueue(),
  ) {
    this.dummyHash = bcrypt.hash(randomBytes(16).toString('hex'), rounds);
  }

  hash(password: string): Promise<string> {
    return this.queue.run(() => bcrypt.hash(password, this.rounds));
  }

  async verify(password: string, hash: string | null): Promise<boolean> {
    const against = hash ?? (await this.dummyHash);
    const matches = await this.queue.run(() => bcrypt.compare(password, against));
    return hash !== null && matches;
  }
}
