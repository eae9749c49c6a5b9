import { readFile } from 'node:fs/promises';
import pg from 'pg';

/** Linux's clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on every common kernel). */
const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU time in ms of one process alone, from /proc; undefined once it is gone (or where there is no /proc). */
async function ownCpuMs(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name (which may hold spaces) start at state; utime and stime are the 12th and 13th of them.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * User + system CPU time in ms of a process and its live children (a gateway's cluster
 * workers), from /proc; undefined where there is no /proc.
 */
export async function cpuMsOf(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const own = await ownCpuMs(pid);
  if (own === undefined) return undefined;
  let total = own;
  try {
    const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim().split(/\s+/).filter(Boolean);
    for (const child of children) total += (await cpuMsOf(Number(child))) ?? 0;
  } catch {
    // The process ended between the two reads: its own time is all there is.
  }
  return total;
}

/** CPU ms spent so far by each service process, and by each PostgreSQL backend (by pid). */
export interface CpuReading {
  processes: Record<string, number>;
  backends: Map<number, number>;
}

/** CPU ms per request of each part of the stack (`postgres` for the backends), and `all` of them. */
export type CpuPerRequest = Record<string, number>;

/**
 * Reads the CPU the whole stack has spent: each named service process (with its children),
 * and PostgreSQL's backends serving the bench's databases. The server is shared with other
 * work on the machine, so its whole process tree would count that work too; the backends of
 * these databases are the server's share of this stack. Readings are cumulative: the difference
 * of two is what was spent between them (a backend that started in between counts whole; one
 * that ended in between is lost, which the subgraphs' long-lived pools make rare).
 */
export class StackCpuMeter {
  private readonly admin: pg.Client;
  private connected: Promise<unknown> | undefined;

  constructor(
    private readonly processes: Record<string, number>,
    adminDatabaseUrl: string,
    private readonly databaseNames: string[],
  ) {
    this.admin = new pg.Client({ connectionString: adminDatabaseUrl });
  }

  async read(): Promise<CpuReading | undefined> {
    const processes: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.processes)) {
      const ms = await cpuMsOf(pid);
      if (ms === undefined) return undefined;
      processes[name] = ms;
    }
    this.connected ??= this.admin.connect();
    await this.connected;
    const { rows } = await this.admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = ANY($1)', [this.databaseNames]);
    const backends = new Map<number, number>();
    for (const { pid } of rows) {
      const ms = await ownCpuMs(pid);
      if (ms !== undefined) backends.set(pid, ms);
    }
    return { processes, backends };
  }

  /** What each part spent per request between two readings. */
  static perRequest(before: CpuReading, after: CpuReading, requests: number): CpuPerRequest {
    const parts: CpuPerRequest = {};
    for (const [name, ms] of Object.entries(after.processes)) parts[name] = (ms - (before.processes[name] ?? 0)) / requests;
    let postgres = 0;
    for (const [pid, ms] of after.backends) postgres += ms - (before.backends.get(pid) ?? 0);
    parts['postgres'] = postgres / requests;
    return { ...parts, all: Object.values(parts).reduce((sum, ms) => sum + ms, 0) };
  }

  async close(): Promise<void> {
    if (this.connected) await this.admin.end();
  }
}
