/**
 * `npm run bench:worker`: one kitchen tick over a backlog of due orders, four ways, on the same
 * data (each approach gets its own copy of one template database), at several backlog sizes.
 * Prints orders moved, moves recorded for live events, seconds, SQL statements, the time ratio to ours, the
 * WAL each moved order cost, and, from BENCH_CUSTOMERS_FROM orders up (default 1,000,000), the
 * p99 time of customers' placeOrder/cancelOrder calls made while ours and the seed's tick run.
 *
 * Sizes: BENCH_SIZES=10000,100000,1000000 (default). Row-by-row is measured in full up to
 * 100,000 orders; above that (it would take over half an hour at 1,000,000 here) it stops after
 * BENCH_ROW_BY_ROW_BUDGET_SECONDS (default 30) and its full time is extrapolated, marked so.
 * Uses the machine's PostgreSQL (BENCH_DATABASE_ADMIN_URL); every scratch database is dropped at the end.
 * WAL is the server's pg_current_wal_lsn() before and after the tick: anything else writing to
 * the same server meanwhile (the customers, other databases) is counted too.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { DEFAULT_ADVANCE_BATCH_SIZE } from '@dishpatch/orders-core/kitchen-clock';
import { rowByRow, seedWholeTable, setBased, setBasedUnbounded, type Approach, type TickMeasurement } from './approaches.js';
import { admin, copyDatabase, createBacklogDatabase, databaseUrl, dropDatabase, withClient } from './backlog.js';
import { measureCustomerLatency, type CustomerLatency } from './customer-latency.js';

const STAGE_SECONDS = 30;
const SIZES = (process.env['BENCH_SIZES'] ?? '10000,100000,1000000').split(',').map((size) => Number(size.trim()));
const ROW_BY_ROW_MEASURED_IN_FULL_UP_TO = 100_000;
/** Up to this size each set-based tick is timed three times and the median shown. */
const REPEAT_UP_TO = 100_000;
const ROW_BY_ROW_BUDGET_SECONDS = Number(process.env['BENCH_ROW_BY_ROW_BUDGET_SECONDS'] ?? 30);
const APPROACHES: Approach[] = [setBased, setBasedUnbounded, seedWholeTable, rowByRow];
const CUSTOMERS_FROM = Number(process.env['BENCH_CUSTOMERS_FROM'] ?? 1_000_000);
/** The ticks customers are measured during: the worker's and the seed's. */
const WITH_CUSTOMERS: readonly Approach[] = [setBased, seedWholeTable];

interface Row {
  size: number;
  approach: string;
  measurement: TickMeasurement;
  recordedMoves: number;
  walBytes: number;
  customers: CustomerLatency | null;
  oursSeconds: number;
}

interface Run {
  measurement: TickMeasurement;
  recordedMoves: number;
  walBytes: number;
  customers: CustomerLatency | null;
}

const integer = (value: number) => Math.round(value).toLocaleString('en-US');

/** Moves recorded for the live-events relay: one per order moved (the seed's UPDATEs record none). */
function recordedMoveCount(url: string): Promise<number> {
  return withClient(url, async (client) => (await client.query<{ n: number }>('SELECT coalesce(sum(cardinality(order_ids)), 0)::int AS n FROM order_status_events')).rows[0]!.n);
}

async function currentWalLsn(): Promise<string> {
  return admin(async (client) => (await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn);
}

async function walBytesSince(lsn: string): Promise<number> {
  return admin(async (client) => Number((await client.query<{ bytes: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS bytes', [lsn])).rows[0]!.bytes));
}

/** One tick on a fresh copy of the backlog: its time, the moves it recorded, its WAL, and customers' latency if asked. */
async function measure(approach: Approach, template: string, copy: string, size: number, initialMoves: number, withCustomers: boolean): Promise<Run> {
  await copyDatabase(template, copy);
  const url = databaseUrl(copy);
  const budgetSeconds = size <= ROW_BY_ROW_MEASURED_IN_FULL_UP_TO ? Number.POSITIVE_INFINITY : ROW_BY_ROW_BUDGET_SECONDS;
  const tick = () => approach.tick(url, { stageSeconds: STAGE_SECONDS, due: size, budgetSeconds });
  const walBefore = await currentWalLsn();
  const { result: measurement, latency: customers } = withCustomers ? await measureCustomerLatency(url, tick) : { result: await tick(), latency: null };
  const walBytes = await walBytesSince(walBefore);
  if (!measurement.capped && measurement.moved !== size) throw new Error(`${approach.name} moved ${measurement.moved} of ${size} due orders`);
  const customersMoves = 2 * (customers?.ordersPlaced ?? 0);
  return { measurement, recordedMoves: (await recordedMoveCount(url)) - initialMoves - customersMoves, walBytes, customers };
}

function formatRow(row: Row): string[] {
  const { measurement: m } = row;
  const wal = m.moved > 0 ? integer(row.walBytes / m.moved) : '-';
  const customers = row.customers ? `${row.customers.p99Milliseconds.toFixed(0)} (${integer(row.customers.calls)} calls)` : '-';
  const scale = m.capped && m.moved > 0 ? m.due / m.moved : 1;
  const fullSeconds = m.seconds * scale;
  const ratio = `${(fullSeconds / row.oursSeconds).toFixed(fullSeconds / row.oursSeconds < 10 ? 2 : 1)}x`;
  if (!m.capped) {
    return [integer(row.size), row.approach, integer(m.moved), integer(row.recordedMoves), m.seconds.toFixed(2), integer(m.statements), ratio, wal, customers];
  }
  return [
    integer(row.size),
    row.approach,
    `${integer(m.moved)} of ${integer(m.due)} (budget)`,
    integer(row.recordedMoves),
    `${m.seconds.toFixed(2)} measured, ~${fullSeconds.toFixed(0)} extrapolated`,
    `${integer(m.statements)} measured, ~${integer(1 + (m.statements - 1) * scale)} extrapolated`,
    `~${ratio} (extrapolated)`,
    wal,
    customers,
  ];
}

function printTable(rows: Row[]): void {
  const header = ['N due', 'approach', 'orders moved', 'moves recorded', 'seconds', 'SQL statements', 'time vs ours', 'WAL bytes/order', 'customers p99 ms'];
  const cells = [header, ...rows.map(formatRow)];
  const widths = header.map((_, column) => Math.max(...cells.map((line) => line[column]!.length)));
  const line = (values: string[]) => `| ${values.map((value, column) => value.padEnd(widths[column]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const values of cells.slice(1)) console.log(line(values));
}

async function main(): Promise<void> {
  const run = `dishpatch_bench_worker_${randomBytes(3).toString('hex')}`;
  const created = new Set<string>();
  const version = await admin(async (client) => (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v);
  console.error(
    `PostgreSQL ${version}, ${os.cpus().length} CPUs, stage ${STAGE_SECONDS}s, our batch size ${DEFAULT_ADVANCE_BATCH_SIZE}, row-by-row in full up to ${integer(ROW_BY_ROW_MEASURED_IN_FULL_UP_TO)}, then a ${ROW_BY_ROW_BUDGET_SECONDS}s budget`,
  );
  const rows: Row[] = [];
  const benchStarted = performance.now();
  try {
    for (const size of SIZES) {
      const template = `${run}_${size}_template`;
      created.add(template);
      const fillStarted = performance.now();
      await createBacklogDatabase(template, size, STAGE_SECONDS);
      const initialMoves = await recordedMoveCount(databaseUrl(template));
      console.error(`N=${integer(size)}: backlog filled in ${((performance.now() - fillStarted) / 1000).toFixed(1)}s (${integer(initialMoves)} moves recorded)`);
      let oursSeconds = Number.NaN;
      for (const approach of APPROACHES) {
        // Short ticks are noisy on a small shared machine: take the median of three runs, each on a fresh copy.
        const repeats = size <= REPEAT_UP_TO && approach !== rowByRow ? 3 : 1;
        const withCustomers = size >= CUSTOMERS_FROM && WITH_CUSTOMERS.includes(approach);
        const runs: Run[] = [];
        for (let attempt = 0; attempt < repeats; attempt += 1) {
          const copy = `${run}_${size}_copy`;
          created.add(copy);
          runs.push(await measure(approach, template, copy, size, initialMoves, withCustomers));
          await dropDatabase(copy);
          created.delete(copy);
        }
        runs.sort((a, b) => a.measurement.seconds - b.measurement.seconds);
        const median = runs[Math.floor(runs.length / 2)]!;
        if (approach === setBased) oursSeconds = median.measurement.seconds;
        const row = { size, approach: approach.name, ...median, oursSeconds };
        rows.push(row);
        console.error(`  ${formatRow(row).slice(1).join(' | ')}`);
      }
      await dropDatabase(template);
      created.delete(template);
    }
  } finally {
    for (const name of created) await dropDatabase(name);
  }
  console.log(
    `\nOne tick over N due orders (half WAITING, half IN_PROGRESS), each approach on its own copy of the same backlog;` +
      ` seconds are the median of 3 runs up to N=${integer(REPEAT_UP_TO)} (row-by-row: 1 run); ${((performance.now() - benchStarted) / 1000).toFixed(0)}s in all.` +
      ` WAL bytes/order: the server's WAL written during the tick over orders moved. Customers p99: placeOrder and cancelOrder calls` +
      ` made one after another (${integer(CUSTOMERS_FROM)} due orders and up) while the tick ran.\n`,
  );
  printTable(rows);
}

await main();
