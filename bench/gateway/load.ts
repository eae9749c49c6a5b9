import autocannon from 'autocannon';
import { cpuMsOf, StackCpuMeter, type CpuPerRequest } from './process-cpu.js';

/** One side of a comparison: where the load goes and what each request carries. */
export interface LoadSide {
  label: string;
  url: string;
  headers: Record<string, string>;
  /** Called for every request; the same body each time for a read query. */
  body: () => string;
  /** Headers that change from one request to the next (e.g. whose token), added to `headers`. */
  perRequestHeaders?: () => Record<string, string>;
  /** The process serving this side, whose CPU time per request is reported. */
  pid?: number;
}

export interface LoadShape {
  connections: number;
  seconds: number;
}

/** One round against one side. Only answers that are 2xx and carry no GraphQL error count as served. */
export interface RoundResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Transport errors, timeouts, non-2xx, and 2xx answers with `errors`. */
  failed: number;
  served: number;
  /** Requests the subgraphs received per request answered, when counted. */
  subgraphCallsPerRequest?: number;
  /** CPU milliseconds (user + system) the side's process spent per request answered. */
  cpuMsPerRequest?: number;
  /** CPU milliseconds per request answered of every process of the stack, by part and `all`. */
  stackCpuMsPerRequest?: CpuPerRequest;
}

/** The side's figures over its rounds: the median of each. */
export interface SideSummary {
  label: string;
  rounds: RoundResult[];
  requestsPerSecond: number;
  p50: number;
  p99: number;
  failed: number;
  served: number;
  subgraphCallsPerRequest?: number;
  cpuMsPerRequest?: number;
  /** The round with the median `all` figure's parts. */
  stackCpuMsPerRequest?: CpuPerRequest;
}

/** A GraphQL answer with an `errors` entry is a failure however fast it came back. */
function carriesNoGraphQLError(body: string): boolean {
  return !body.includes('"errors"');
}

/** Reads a running total of the requests the subgraphs have served (from their /metrics). */
export type SubgraphCallCounter = () => Promise<number>;

/** What is read before and after each measured round besides the side's own process. */
export interface RoundMeters {
  countSubgraphCalls?: SubgraphCallCounter;
  stackCpu?: StackCpuMeter;
}

export async function runRound(side: LoadSide, shape: LoadShape, meters: RoundMeters = {}): Promise<RoundResult> {
  const callsBefore = await meters.countSubgraphCalls?.();
  const stackBefore = await meters.stackCpu?.read();
  const cpuBefore = await cpuMsOf(side.pid);
  const result = await autocannon({
    url: side.url,
    connections: shape.connections,
    duration: shape.seconds,
    timeout: 10,
    verifyBody: carriesNoGraphQLError,
    requests: [
      {
        method: 'POST',
        path: new URL(side.url).pathname,
        headers: { 'content-type': 'application/json', ...side.headers },
        setupRequest: (request) => ({
          ...request,
          body: side.body(),
          ...(side.perRequestHeaders ? { headers: { ...request.headers, ...side.perRequestHeaders() } } : {}),
        }),
      },
    ],
  });
  const served = result['2xx'] - result.mismatches;
  const failed = result.errors + result.timeouts + result.non2xx + result.mismatches;
  const cpuAfter = await cpuMsOf(side.pid);
  const stackAfter = await meters.stackCpu?.read();
  const callsAfter = await meters.countSubgraphCalls?.();
  const answered = Math.max(1, served + failed);
  return {
    requestsPerSecond: served / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed,
    served,
    ...(callsBefore !== undefined && callsAfter !== undefined ? { subgraphCallsPerRequest: (callsAfter - callsBefore) / answered } : {}),
    ...(cpuBefore !== undefined && cpuAfter !== undefined ? { cpuMsPerRequest: (cpuAfter - cpuBefore) / answered } : {}),
    ...(stackBefore && stackAfter ? { stackCpuMsPerRequest: StackCpuMeter.perRequest(stackBefore, stackAfter, answered) } : {}),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The middle item by `key` (the lower of the two middles for an even count), kept whole. */
function medianBy<T>(items: T[], key: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export interface Comparison {
  a: SideSummary;
  b: SideSummary;
}

/**
 * A short unmeasured warm-up for each side, then rounds alternating A, B, A, B, … so that
 * whatever drifts during the run (caches, the database, the machine) falls on both sides alike.
 */
export async function compareAlternating(
  a: LoadSide,
  b: LoadSide,
  options: LoadShape & {
    rounds: number;
    warmupSeconds: number;
    onRound?: (label: string, round: RoundResult) => void;
  } & RoundMeters,
): Promise<Comparison> {
  const shape = { connections: options.connections, seconds: options.seconds };
  await runRound(a, { ...shape, seconds: options.warmupSeconds });
  await runRound(b, { ...shape, seconds: options.warmupSeconds });
  const rounds = new Map<LoadSide, RoundResult[]>([
    [a, []],
    [b, []],
  ]);
  for (let round = 0; round < options.rounds; round += 1) {
    for (const side of [a, b]) {
      const result = await runRound(side, shape, options);
      rounds.get(side)!.push(result);
      options.onRound?.(side.label, result);
    }
  }
  const summarize = (side: LoadSide): SideSummary => {
    const results = rounds.get(side)!;
    return {
      label: side.label,
      rounds: results,
      requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
      p50: median(results.map((r) => r.p50)),
      p99: median(results.map((r) => r.p99)),
      failed: results.reduce((sum, r) => sum + r.failed, 0),
      served: results.reduce((sum, r) => sum + r.served, 0),
      ...(results.every((r) => r.subgraphCallsPerRequest !== undefined)
        ? { subgraphCallsPerRequest: median(results.map((r) => r.subgraphCallsPerRequest!)) }
        : {}),
      ...(results.every((r) => r.cpuMsPerRequest !== undefined) ? { cpuMsPerRequest: median(results.map((r) => r.cpuMsPerRequest!)) } : {}),
      ...(results.every((r) => r.stackCpuMsPerRequest !== undefined) ? { stackCpuMsPerRequest: medianBy(results.map((r) => r.stackCpuMsPerRequest!), (cpu) => cpu['all']!) } : {}),
    };
  };
  return { a: summarize(a), b: summarize(b) };
}
