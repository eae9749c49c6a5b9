import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { REPO_ROOT } from './service-process.js';

/**
 * The workspaces the services run from (each service's own and those it imports). Each is built
 * to its `dist/`, where its package.json's exports point outside the `source` condition, with
 * the layout of its `src/`, so `import.meta.url` paths (the subgraph schemas, the playground's
 * script) resolve as they do from the sources.
 */
export const BUILT_WORKSPACES = ['shared', 'auth-subgraph', 'orders-core', 'orders-subgraph', 'worker', 'gateway'] as const;

/** Next to each build: the digest of what it was built from. */
const DIGEST_FILE = '.source-digest';
/** The transform tsx applies when it runs the sources (esbuild, one file at a time), so the build runs the same code. */
const ESBUILD_OPTIONS = { format: 'esm', platform: 'node', target: 'node20', sourcemap: 'linked', logLevel: 'silent' } as const;
/** The TypeScript settings esbuild reads for every built file, at the checkout's root. */
const TSCONFIGS = ['tsconfig.json', 'tsconfig.base.json'];

export interface ServiceBuildOptions {
  /** The checkout. Default this one. */
  root?: string;
  /** Default BUILT_WORKSPACES. */
  workspaces?: readonly string[];
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/**
 * What a workspace's build is made of: every file under its src/ (path and content), the
 * TypeScript settings, the esbuild version and options. Contents, not modification times: a
 * checkout or a copy that keeps old times cannot leave a stale build in place.
 */
function sourceDigest(root: string, workspace: string): string {
  const hash = createHash('sha256');
  const esbuildVersion = (createRequire(import.meta.url)('esbuild/package.json') as { version: string }).version;
  hash.update(`esbuild ${esbuildVersion} ${JSON.stringify(ESBUILD_OPTIONS)}\0`);
  for (const file of [...TSCONFIGS.map((tsconfig) => resolve(root, tsconfig)), ...filesUnder(resolve(root, workspace, 'src'))]) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** The workspaces whose `dist/` is missing or was built from other sources than they have now. */
export function staleServiceBuilds({ root = REPO_ROOT, workspaces = BUILT_WORKSPACES }: ServiceBuildOptions = {}): string[] {
  return workspaces.filter((workspace) => {
    const digestFile = resolve(root, workspace, 'dist', DIGEST_FILE);
    return !existsSync(digestFile) || readFileSync(digestFile, 'utf8') !== sourceDigest(root, workspace);
  });
}

/**
 * Builds one workspace's src/ into its dist/: each .ts file transformed to JavaScript (no
 * bundling, no type check: `npm run typecheck` does that), every other file copied. It is
 * built in a folder of its own and then put in place whole, so a service starting meanwhile
 * from the old build never reads a half-written one, and a source file removed since leaves
 * nothing behind.
 */
async function buildWorkspace(root: string, workspace: string): Promise<void> {
  const { build } = await import('esbuild');
  const workspaceDir = resolve(root, workspace);
  const sourceDir = resolve(workspaceDir, 'src');
  const digest = sourceDigest(root, workspace);
  const staging = mkdtempSync(resolve(workspaceDir, 'dist.building-'));
  try {
    const sources = filesUnder(sourceDir);
    const typescript = sources.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'));
    await build({ ...ESBUILD_OPTIONS, entryPoints: typescript, outdir: staging, outbase: sourceDir, bundle: false });
    for (const file of sources.filter((source) => !source.endsWith('.ts'))) cpSync(file, resolve(staging, relative(sourceDir, file)));
    writeFileSync(resolve(staging, DIGEST_FILE), digest);
    const dist = resolve(workspaceDir, 'dist');
    rmSync(dist, { recursive: true, force: true });
    try {
      renameSync(staging, dist);
    } catch (error) {
      // Another npm start of this checkout put its build in place meanwhile: keep that one (the next start checks it again).
      if (!['ENOTEMPTY', 'EEXIST'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Builds each workspace whose build is stale; the ones it built (none when all are current). */
export async function buildServicesIfStale({ root = REPO_ROOT, workspaces = BUILT_WORKSPACES }: ServiceBuildOptions = {}): Promise<string[]> {
  const stale = staleServiceBuilds({ root, workspaces });
  await Promise.all(stale.map((workspace) => buildWorkspace(root, workspace)));
  return stale;
}
