import type { ChildProcess } from 'node:child_process';

/**
 * Stops a child started `detached` (a process group of its own): SIGTERM for a graceful
 * close, then after `graceMs` SIGKILL to whatever is left of its group, so nothing outlives
 * the script. Resolves once the child has exited, with whether it stopped within the grace.
 */
export async function stopChild(child: ChildProcess, exited: Promise<unknown>, graceMs: number): Promise<boolean> {
  const running = child.exitCode === null && child.signalCode === null;
  if (running) child.kill('SIGTERM');
  const stopped =
    !running ||
    (await Promise.race([
      exited.then(() => true),
      new Promise<boolean>((resolveTimeout) => setTimeout(() => resolveTimeout(false), graceMs).unref()),
    ]));
  if (child.pid) killGroup(child.pid);
  await exited;
  return stopped;
}

/** Kills what is left of a process group; a group already gone is fine. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
