import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { prefixLines, type Color } from './log-output.js';
import { stopChild } from './stop-child.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
const TSX_PACKAGE = resolve(REPO_ROOT, 'node_modules/tsx');
/** How a workspace's service runs from its sources: its `src/index.ts` under tsx with the `source` condition. */
export const TSX_ENTRY = ['--conditions=source', '--import', 'tsx', 'src/index.ts'];
/**
 * How it runs from its build (see service-build.ts): `dist/index.js`, importing the other
 * workspaces' builds, with no TypeScript loader in the process; stack traces name the sources.
 */
export const BUILT_ENTRY = ['--enable-source-maps', 'dist/index.js'];
/** Stops a service whose supervisor died (its stdin, a pipe from here, ends): see exit-with-parent.js. */
const EXIT_WITH_PARENT = ['--import', pathToFileURL(resolve(import.meta.dirname, 'exit-with-parent.js')).href];

export interface ServiceProcessOptions {
  /** Shown in front of every log line. */
  name: string;
  /** Workspace folder, e.g. `auth-subgraph`; the service's entry is `src/index.ts` there. */
  workspace: string;
  /** Node's arguments, run in the workspace folder: `TSX_ENTRY` (the default) or `BUILT_ENTRY` (a profiler flag may go first). */
  nodeArgs?: string[];
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
 * One service as a child process: its workspace's `src/index.ts` under tsx with the `source`
 * condition, as its start script runs it, but as `node --import tsx` so that the PID held is
 * the server's; or its build, as `npm start` runs it (`BUILT_ENTRY`). (Not npx, which leaves
 * its node child behind; and not tsx's CLI, which sits between as a second process, re-sends a
 * signal not acknowledged within 30 ms and then SIGKILLs its child: seen here under load,
 * killing a process in the middle of its graceful stop.) Each service has
 * its own process group, so a Ctrl-C in the terminal reaches only the supervisor, which then
 * stops the services in order.
 */
export class ServiceProcess {
  readonly name: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private exitDescription: string | undefined;
  readonly recentLines: string[] = [];

  constructor(private readonly options: ServiceProcessOptions) {
    this.name = options.name;
    if (!existsSync(TSX_PACKAGE)) throw new ServiceStartError(`${TSX_PACKAGE} is missing: run npm ci first`);
  }

  start(): void {
    if (this.child) throw new ServiceStartError(`${this.name} was already started`);
    const child = spawn(process.execPath, [...EXIT_WITH_PARENT, ...(this.options.nodeArgs ?? TSX_ENTRY)], {
      cwd: resolve(REPO_ROOT, this.options.workspace),
      env: this.options.env,
      // stdin: a pipe nobody writes to, whose end tells the service that this process is gone.
      stdio: ['pipe', 'pipe', 'pipe'],
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
      // Often: npm start waits on readiness in chains (orders, then the worker; all, then the seed).
      await new Promise((resolveDelay) => setTimeout(resolveDelay, 50));
    }
    throw this.startFailure(`${this.name} was not ready at ${this.options.readyUrl} after ${Math.round(timeoutMs / 1000)} s`);
  }

  /**
   * SIGTERM to the service (a graceful close); whatever is left of its process group after
   * the grace period is killed, so nothing outlives the supervisor.
   */
  async stop(graceMs: number): Promise<void> {
    if (!this.child?.pid) return;
    const stopped = await stopChild(this.child, this.exited, graceMs);
    if (!stopped) process.stdout.write(`${this.name} did not stop within ${graceMs / 1000} s; killing it\n`);
  }


  private startFailure(message: string): ServiceStartError {
    const tail = this.recentLines.slice(-12).map((line) => `    ${line}`).join('\n');
    return new ServiceStartError(tail ? `${message}. Its last lines:\n${tail}` : message);
  }
}
