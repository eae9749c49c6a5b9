import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** A server the benchmark started as a child process; `stop()` ends it with SIGTERM (SIGKILL if it hangs). */
export interface ServiceProcess {
  name: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export interface ServiceLaunch {
  name: string;
  /** Arguments after `node`: the server's own process, so the PID held is the server's. */
  nodeArgs: string[];
  env: Record<string, string>;
  port: number;
  /** Answers 200 once the server is ready, e.g. `/health`. */
  readyPath: string;
  cwd?: string;
  /** How long start-up (migrations included) may take. */
  startTimeoutMs?: number;
}

const STOP_GRACE_MS = 10_000;
/** The last lines a server printed, shown when it fails to start. */
const KEPT_OUTPUT_CHARS = 4000;

/** A port nothing listens on right now (the kernel picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port from the kernel');
  return address.port;
}

async function answersOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    // Not listening yet: the caller polls again.
    return false;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** Starts `node <nodeArgs>` and resolves once `readyPath` answers 200; rejects with the server's output if it dies or times out. */
export async function startService(launch: ServiceLaunch): Promise<ServiceProcess> {
  const child = spawn(process.execPath, launch.nodeArgs, {
    cwd: launch.cwd,
    env: { ...process.env, ...launch.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-KEPT_OUTPUT_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = () => stopChild(child);

  const deadline = Date.now() + (launch.startTimeoutMs ?? 60_000);
  const readyUrl = `http://127.0.0.1:${launch.port}${launch.readyPath}`;
  while (!(await answersOk(readyUrl))) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${launch.name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${launch.name} was not ready at ${readyUrl} in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (child.pid === undefined) throw new Error(`${launch.name} has no pid`);
  return { name: launch.name, port: launch.port, pid: child.pid, stop };
}
