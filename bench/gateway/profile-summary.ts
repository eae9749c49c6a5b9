/**
 * Top self-time functions of a V8 `.cpuprofile` (e.g. from `BENCH_CPU_PROF_DIR=/tmp/prof
 * npm run bench`), and the same time grouped by package, to see where a process spends its CPU:
 *   npx tsx bench/gateway/profile-summary.ts /tmp/prof/orders-subgraph/CPU.*.cpuprofile [top]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [path, topArgument] = process.argv.slice(2);
if (!path) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
const top = Number(topArgument ?? 30);
const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;

const nodesById = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
/** Waiting for I/O is not work: shares are of the time the process was busy. */
const NOT_WORK = new Set(['(idle)', '(program)', '(root)']);
const selfMicros = new Map<number, number>();
profile.samples.forEach((nodeId, index) => {
  if (NOT_WORK.has(nodesById.get(nodeId)!.callFrame.functionName)) return;
  selfMicros.set(nodeId, (selfMicros.get(nodeId) ?? 0) + (profile.timeDeltas[index] ?? 0));
});
const total = [...selfMicros.values()].reduce((sum, micros) => sum + micros, 0);

/** `node_modules/@scope/name` or `node_modules/name`, the project folder, or `node:` internals. */
function packageOf(url: string): string {
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1]!;
  const project = /\/(gateway|shared|auth-subgraph|orders-subgraph|orders-core|bench)\//.exec(url);
  if (project) return `dishpatch/${project[1]}`;
  return url === '' ? '(native/vm)' : url.startsWith('node:') ? 'node internals' : url;
}

function describe(nodeId: number): string {
  const { functionName, url, lineNumber } = nodesById.get(nodeId)!.callFrame;
  const where = url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(gateway|shared|auth-subgraph|orders-subgraph|orders-core)\//, '$1/')}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'} ${where}`;
}

const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
/** Time with the function anywhere on the stack (counted once per sample however deep the recursion). */
const inclusive = new Map<string, number>();
for (const [nodeId, micros] of selfMicros) {
  const key = describe(nodeId);
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  const pkg = packageOf(nodesById.get(nodeId)!.callFrame.url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
  const onStack = new Set<string>();
  for (let id: number | undefined = nodeId; id !== undefined; id = parentOf.get(id)) onStack.add(describe(id));
  for (const frame of onStack) inclusive.set(frame, (inclusive.get(frame) ?? 0) + micros);
}

const percent = (micros: number) => `${((100 * micros) / total).toFixed(1).padStart(5)}%`;
console.log(`${(total / 1e6).toFixed(1)} s busy (idle left out)\n\nself time by package:`);
for (const [pkg, micros] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${percent(micros)}  ${pkg}`);
console.log(`\ntop ${top} functions by self time:`);
for (const [key, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${percent(micros)}  ${key}`);
console.log(`\ntop ${top} functions by total time (self + callees):`);
for (const [key, micros] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${percent(micros)}  ${key}`);
