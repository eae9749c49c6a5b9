import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { prefixLines, type Color } from './log-output.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
const TSX = resolve(REPO_ROOT, 'node_modules/.bin/tsx');

export interface ServiceProcessOptions {
  /** Shown in front of every log line. */
  name: string;
  /** Workspace folder, e.g. `auth-subgraph`; the service's entry is `src/index.ts` there. */
  workspace: string;
  env: NodeJS.ProcessEnv;
  /** Polled until it answers 200. */
  readyUrl: string;
  color: Color;
  /** Width the names are padded to, so the log columns line up. */
  nameWidth: number;
  /** Where output goes; defaults to prefixed lines on this process's stdout. */
  output?: 'prefixed' | 'silent';
}

/** Raised when a service exits or never becomes ready; carries the last lines it printed. */
export class ServiceStartError extends Error {
  override name = 'ServiceStartError';
}

const RECENT_LINES = 30;

/**
 * One service as a child process: `tsx --conditions=source src/index.ts` in its workspace,
 * started from node_modules/.bin (not npx, which leaves its node child behind when killed),
 * in its own process group so that a Ctrl-C in the terminal reaches only the supervisor,
 * which then stops the services in order.
 */
export class ServiceProcess {
  readonly name: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private exitDescription: string | undefined;
  readonly recentLines: string[] = [];

  constructor(private readonly options: ServiceProcessOptions) {
    this.name = options.name;
    if (!existsSync(TSX)) throw new ServiceStartError(`${TSX} is missing: run npm ci first`);
  }

  start(): void {
    if (this.child) throw new ServiceStartError(`${this.name} was already started`);
    const child = spawn(TSX, ['--conditions=source', 'src/index.ts'], {
      cwd: resolve(REPO_ROOT, this.options.workspace),
      env: this.options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    const remember = (line: string) => {
      this.recentLines.push(line);
      if (this.recentLines.length > RECENT_LINES) this.recentLines.shift();
    };
    for (const stream of [child.stdout!, child.stderr!]) {
      if (this.options.output === 'silent') {
        stream.setEncoding('utf8').on('data', (chunk: string) => chunk.split('\n').filter(Boolean).forEach(remember));
      } else {
        prefixLines(stream, this.options.name, this.options.color, this.options.nameWidth, remember);
      }
    }
    this.exited = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        this.exitDescription = signal ? `killed by ${signal}` : `exited with code ${code}`;
        resolveExit();
      });
    });
  }

  /** Resolves with how the process ended (e.g. `exited with code 1`) once it has. */
  async whenExited(): Promise<string> {
    await this.exited;
    return this.exitDescription ?? 'stopped';
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitDescription === undefined;
  }

  /** Polls the readiness URL until 200; fails early with the service's last lines if it exits. */
  async waitUntilReady(timeoutMs: number): Promise<void> {
    if (!this.child) throw new ServiceStartError(`${this.name} was never started`);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw this.startFailure(`${this.name} ${this.exitDescription ?? 'did not start'} before it was ready`);
      try {
        const response = await fetch(this.options.readyUrl, { signal: AbortSignal.timeout(2000) });
        await response.body?.cancel();
        if (response.ok) return;
      } catch {
        // Not listening yet: keep polling until the deadline.
      }
      await new Promise((resolveDelay) => setTimeout(resolveDelay, 150));
    }
    throw this.startFailure(`${this.name} was not ready at ${this.options.readyUrl} after ${Math.round(timeoutMs / 1000)} s`);
  }

  /**
   * SIGTERM to tsx, which hands it to the service (a graceful close); whatever is left of
   * the process group after the grace period is killed, so nothing outlives the supervisor.
   */
  async stop(graceMs: number): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    if (this.running) child.kill('SIGTERM');
    const stopped = await Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((resolveTimeout) => setTimeout(() => resolveTimeout(false), graceMs).unref()),
    ]);
    if (!stopped) process.stdout.write(`${this.name} did not stop within ${graceMs / 1000} s; killing it\n`);
    killGroup(child.pid);
    await this.exited;
  }

  private startFailure(message: string): ServiceStartError {
    const tail = this.recentLines.slice(-12).map((line) => `    ${line}`).join('\n');
    return new ServiceStartError(tail ? `${message}. Its last lines:\n${tail}` : message);
  }
}

/** Kills what is left of a process group (tsx's own child included); a group already gone is fine. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
