/**
 * Top self-time functions of a V8 `.cpuprofile` (e.g. from `BENCH_GATEWAY_CPU_PROF_DIR=/tmp/prof
 * npm run bench`), and the same time grouped by package, to see where a process spends its CPU:
 *   npx tsx bench/gateway/profile-summary.ts /tmp/prof/CPU.*.cpuprofile [top]
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
const selfMicros = new Map<number, number>();
profile.samples.forEach((nodeId, index) => {
  selfMicros.set(nodeId, (selfMicros.get(nodeId) ?? 0) + (profile.timeDeltas[index] ?? 0));
});
const total = [...selfMicros.values()].reduce((sum, micros) => sum + micros, 0);

/** `node_modules/@scope/name` or `node_modules/name`, the project folder, or `node:` internals. */
function packageOf(url: string): string {
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1]!;
  const project = /\/(gateway|shared|auth-subgraph|orders-subgraph|bench)\//.exec(url);
  if (project) return `dishpatch/${project[1]}`;
  return url === '' ? '(native/vm)' : url.startsWith('node:') ? 'node internals' : url;
}

const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const [nodeId, micros] of selfMicros) {
  const { functionName, url, lineNumber } = nodesById.get(nodeId)!.callFrame;
  const where = url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(gateway|shared)\//, '$1/')}:${lineNumber + 1}` : '';
  const key = `${functionName || '(anonymous)'} ${where}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  const pkg = packageOf(url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
}

const percent = (micros: number) => `${((100 * micros) / total).toFixed(1).padStart(5)}%`;
console.log(`${(total / 1e6).toFixed(1)} s sampled\n\nself time by package:`);
for (const [pkg, micros] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${percent(micros)}  ${pkg}`);
console.log(`\ntop ${top} functions by self time:`);
for (const [key, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${percent(micros)}  ${key}`);
