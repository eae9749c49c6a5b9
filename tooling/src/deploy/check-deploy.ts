/**
 * `npm run check:deploy`, first half: renders every overlay of deploy/kubernetes offline and
 * validates each object against the Kubernetes schemas and the project's rules. Prints what it
 * checked and every problem; exits 1 on any. (The second half, docker-compose.yml and the
 * Dockerfile, is system-tests/test/docker.test.ts, which the npm script runs after this.)
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../../../gateway/src/supergraph-config.js';
import { renderKustomization } from './kustomize.js';
import { KUBERNETES_SCHEMA_VERSION, describeProblem, ruleProblems, schemaProblems, type Problem } from './manifest-checks.js';

const OVERLAYS_DIRECTORY = join(REPO_ROOT, 'deploy/kubernetes/overlays');

/** Renders and checks one overlay; the lines to print and the problems found. */
async function checkOverlay(directory: string): Promise<{ lines: string[]; problems: Problem[] }> {
  const { manifests, placeholders } = renderKustomization(directory, { missingGeneratorFiles: 'placeholder' });
  const counts = new Map<string, number>();
  for (const manifest of manifests) counts.set(manifest.kind, (counts.get(manifest.kind) ?? 0) + 1);
  const lines = [`${relative(REPO_ROOT, directory)}: ${manifests.length} objects (${[...counts].map(([kind, count]) => `${count} ${kind}`).join(', ')})`];
  if (placeholders.length > 0) lines.push(`  secret files not in the repository, rendered with placeholders: ${placeholders.map((path) => relative(REPO_ROOT, path)).join(', ')}`);
  const problems = [...(await schemaProblems(manifests)), ...ruleProblems(manifests)];
  return { lines, problems };
}

let total = 0;
console.log(`Kubernetes schemas: ${KUBERNETES_SCHEMA_VERSION}`);
for (const overlay of readdirSync(OVERLAYS_DIRECTORY).sort()) {
  const { lines, problems } = await checkOverlay(join(OVERLAYS_DIRECTORY, overlay));
  for (const line of lines) console.log(line);
  console.log(`  schema and rules: ${problems.length === 0 ? 'ok' : `${problems.length} problem(s)`}`);
  for (const problem of problems) console.log(`  - ${describeProblem(problem)}`);
  total += problems.length;
}
console.log(total === 0 ? 'kubernetes: ok' : `kubernetes: ${total} problem(s)`);
process.exitCode = total === 0 ? 0 : 1;
