/**
 * `npm run bench:start`: how long `npm start` takes until it is ready (the banner printed, every
 * service answering /ready), cold (a new, empty data folder: initdb, migrations, demo seed) and
 * warm (a second start on that folder). Each run is a real `npm start` from the repository root
 * on free ports, in a scratch data folder, with its own Redis prefix on the machine's Redis; it
 * is stopped with SIGTERM once ready.
 *
 * Prints, per kind, the median seconds from spawning `npm start` to the banner's last line, the
 * CPU seconds its whole process tree (npm, the script, PostgreSQL, the services, the builds)
 * spent until then, and the median time of each phase the start script records (see
 * scripts/lib/start-timeline.ts), so a slow start shows where it waits.
 *
 * BENCH_RUNS=3 (default): cold starts, each followed by one warm start on its folder.
 * BENCH_AFTER_NPM_CI=1: first removes what `npm start` builds (web/dist and the services' dist/
 * folders), so the first cold start is the one a newcomer's first `npm start` after `npm ci` is.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestRedis } from '@dishpatch/shared/testing';
import { findFreePort } from '../../scripts/lib/ports.js';
import { BUILT_WORKSPACES } from '../../scripts/lib/service-build.js';
import { REPO_ROOT } from '../../scripts/lib/service-process.js';
import type { StartTimeline } from '../../scripts/lib/start-timeline.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const AFTER_NPM_CI = process.env['BENCH_AFTER_NPM_CI'] === '1';
const READY_LINE = /Ctrl-C stops everything\./;
const READY_TIMEOUT_MS = 180_000;
/** Linux's clock ticks per second for /proc/<pid>/stat times (USER_HZ). */
const CLOCK_TICKS_PER_SECOND = 100;

type Kind = 'first after npm ci' | 'cold' | 'warm';

interface Measurement {
  kind: Kind;
  /** Spawning `npm start` to its banner's last line. */
  readySeconds: number;
  /** CPU (user + system) of npm start's whole process tree until ready, reaped children included. */
  cpuSeconds: number;
  /** The same, by part of the tree (see `partOf`). */
  cpuByPart: Map<string, number>;
  /** Each phase the start script marked, in seconds since `npm start` was spawned. */
  phases: Map<string, number>;
}

const SERVICE_FOLDERS: Record<string, string> = { gateway: 'gateway', 'auth-subgraph': 'auth', 'orders-subgraph': 'orders', worker: 'worker' };

/**
 * Which part of npm start a process is, from its command line and working folder. A part
 * includes what it ran that has exited: the start script's the builds and create-manager, the
 * PostgreSQL launcher's initdb.
 */
function partOf(pid: number, commandLine: string): string {
  if (/\bnpm(-cli)?\b/.test(commandLine.split(' ')[0]!) || commandLine.includes('npm-cli')) return 'npm';
  if (commandLine.includes('scripts/start.ts')) return 'start script (+ builds, create-manager)';
  if (commandLine.includes('embedded-postgres-process')) return 'PostgreSQL launcher (node, + initdb)';
  if (commandLine.includes('esbuild')) return 'esbuild';
  if (/\/bin\/(postgres|pg_ctl)\b/.test(commandLine) || commandLine.startsWith('postgres:')) return 'PostgreSQL server';
  try {
    const folder = readlinkSync(`/proc/${pid}/cwd`).split('/').pop()!;
    if (SERVICE_FOLDERS[folder]) return SERVICE_FOLDERS[folder];
  } catch {
    // Gone, or not ours to read: counted as other.
  }
  return 'other';
}

/**
 * CPU seconds of `pid` and everything below it, by part: each live process's own time plus the
 * time of its children that have exited and been waited for (cutime, cstime), from /proc.
 */
function treeCpuSeconds(pid: number): Map<string, number> {
  const table = new Map<number, { parent: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After the command name (which may hold spaces): state, ppid, … utime, stime, cutime, cstime are the 12th to 15th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      table.set(Number(entry), { parent: Number(fields[1]), ticks });
    } catch {
      // Exited between the listing and the read: its parent has or will have its time.
    }
  }
  const byPart = new Map<string, number>();
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift()!;
    let commandLine = '';
    try {
      commandLine = readFileSync(`/proc/${current}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      // Exited meanwhile.
    }
    const part = partOf(current, commandLine);
    byPart.set(part, (byPart.get(part) ?? 0) + (table.get(current)?.ticks ?? 0) / CLOCK_TICKS_PER_SECOND);
    for (const [child, { parent }] of table) if (parent === current) queue.push(child);
  }
  return byPart;
}

/** One `npm start` on `dataDir` until ready, then SIGTERM; what it took. */
async function measureStart(kind: Kind, dataDir: string): Promise<Measurement> {
  const redis = createTestRedis('bench-start');
  const [gateway, metrics, auth, orders, worker, postgres] = [
    await findFreePort(), await findFreePort(), await findFreePort(), await findFreePort(), await findFreePort(), await findFreePort(),
  ];
  const timelineFile = join(dataDir, 'bench-timeline.json');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DISHPATCH_DATA_DIR: dataDir,
    DISHPATCH_START_TIMELINE: timelineFile,
    GATEWAY_PORT: String(gateway),
    GATEWAY_METRICS_PORT: String(metrics),
    AUTH_PORT: String(auth),
    ORDERS_PORT: String(orders),
    WORKER_PORT: String(worker),
    EMBEDDED_POSTGRES_PORT: String(postgres),
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    NO_COLOR: '1',
  };
  for (const variable of ['AUTH_DATABASE_URL', 'ORDERS_DATABASE_URL', 'AUTH_JWKS_URL', 'AUTH_SUBGRAPH_URL', 'ORDERS_SUBGRAPH_URL', 'AUTH_DATA_DIR', 'SUBGRAPH_SHARED_SECRET', 'LISTEN_HOST']) {
    delete env[variable];
  }
  rmSync(timelineFile, { force: true });

  const spawnedAt = Date.now();
  const child = spawn('npm', ['start'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  let output = '';
  const ready = new Promise<number>((resolveReady, rejectReady) => {
    const timer = setTimeout(() => rejectReady(new Error(`${kind} start: not ready within ${READY_TIMEOUT_MS / 1000} s:\n${output}`)), READY_TIMEOUT_MS);
    const onData = (chunk: string) => {
      output += chunk;
      if (READY_LINE.test(output)) {
        clearTimeout(timer);
        resolveReady(Date.now());
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      rejectReady(new Error(`${kind} start: npm start exited before it was ready:\n${output}`));
    });
  });
  try {
    const readyAt = await ready;
    const cpuByPart = treeCpuSeconds(child.pid!);
    const cpuSeconds = [...cpuByPart.values()].reduce((sum, part) => sum + part, 0);
    const timeline = JSON.parse(readFileSync(timelineFile, 'utf8')) as StartTimeline;
    const phases = new Map(timeline.marks.map((mark) => [mark.phase, (timeline.processStartedAtEpochMs + mark.atMs - spawnedAt) / 1000]));
    return { kind, readySeconds: (readyAt - spawnedAt) / 1000, cpuSeconds, cpuByPart, phases };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolveDelay) => setTimeout(resolveDelay, 30_000).unref())]);
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // The whole group is gone already, as it should be.
    }
    await redis.cleanup();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const seconds = (value: number | undefined) => (value === undefined ? '' : value.toFixed(2));

/** Removes what `npm start` builds, as a fresh checkout after `npm ci` has none of it. */
function removeBuildOutputs(): void {
  for (const workspace of ['web', ...BUILT_WORKSPACES]) rmSync(resolve(REPO_ROOT, workspace, 'dist'), { recursive: true, force: true });
}

function printSummary(measurements: Measurement[]): void {
  const kinds = (['first after npm ci', 'cold', 'warm'] as const).filter((kind) => measurements.some((measurement) => measurement.kind === kind));
  const of = (kind: Kind) => measurements.filter((measurement) => measurement.kind === kind);
  const width = 44;
  const header = (label: string) => `${label.padEnd(width)}${kinds.map((kind) => kind.padStart(20)).join('')}`;
  console.log('');
  console.log(header('median seconds (runs)'));
  console.log(`${'ready (spawn → banner)'.padEnd(width)}${kinds.map((kind) => `${seconds(median(of(kind).map((m) => m.readySeconds)))} (${of(kind).length})`.padStart(20)).join('')}`);
  console.log(`${'  each run'.padEnd(width)}${kinds.map((kind) => of(kind).map((m) => seconds(m.readySeconds)).join(' ').padStart(20)).join('')}`);
  console.log(`${'CPU of the process tree'.padEnd(width)}${kinds.map((kind) => seconds(median(of(kind).map((m) => m.cpuSeconds))).padStart(20)).join('')}`);
  const parts = [...new Set(measurements.flatMap((m) => [...m.cpuByPart.keys()]))].sort();
  for (const part of parts) {
    console.log(`${`  ${part}`.padEnd(width)}${kinds.map((kind) => seconds(median(of(kind).map((m) => m.cpuByPart.get(part) ?? 0))).padStart(20)).join('')}`);
  }
  console.log('');
  console.log(header('phase (s since spawn, median)'));
  // Phases in the order they happen on the cold start (or the first kind that has them).
  const phaseOrder = new Map<string, number>();
  for (const kind of kinds) {
    for (const measurement of of(kind)) {
      for (const [phase, at] of measurement.phases) if (!phaseOrder.has(phase)) phaseOrder.set(phase, at);
    }
  }
  const ordered = [...phaseOrder.keys()].sort((a, b) => {
    const at = (phase: string) => median(of(kinds.includes('cold') ? 'cold' : kinds[0]!).map((m) => m.phases.get(phase) ?? Number.POSITIVE_INFINITY));
    return at(a) - at(b);
  });
  for (const phase of ordered) {
    const cells = kinds.map((kind) => {
      const values = of(kind).flatMap((m) => (m.phases.has(phase) ? [m.phases.get(phase)!] : []));
      return (values.length > 0 ? seconds(median(values)) : '-').padStart(20);
    });
    console.log(`${phase.padEnd(width)}${cells.join('')}`);
  }
}

const measurements: Measurement[] = [];
const folders: string[] = [];
const newDataDir = () => {
  const folder = mkdtempSync(join(tmpdir(), 'dishpatch-bench-start-'));
  // The embedded PostgreSQL runs as the OS user postgres when run as root: it must enter the folder.
  chmodSync(folder, 0o755);
  folders.push(folder);
  return folder;
};
try {
  if (AFTER_NPM_CI) {
    removeBuildOutputs();
    const measurement = await measureStart('first after npm ci', newDataDir());
    measurements.push(measurement);
    console.log(`first after npm ci: ready in ${seconds(measurement.readySeconds)} s, ${seconds(measurement.cpuSeconds)} CPU s`);
  }
  for (let run = 1; run <= RUNS; run += 1) {
    const dataDir = newDataDir();
    for (const kind of ['cold', 'warm'] as const) {
      const measurement = await measureStart(kind, dataDir);
      measurements.push(measurement);
      console.log(`run ${run}/${RUNS} ${kind}: ready in ${seconds(measurement.readySeconds)} s, ${seconds(measurement.cpuSeconds)} CPU s`);
    }
  }
  printSummary(measurements);
} finally {
  for (const folder of folders) if (existsSync(folder)) rmSync(folder, { recursive: true, force: true });
}
