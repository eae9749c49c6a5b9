import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './service-process.js';

const WEB_DIR = resolve(REPO_ROOT, 'web');
/** What the build is made from: when any of it is newer than the build, the build is stale. */
const BUILD_INPUTS = ['src', 'index.html', 'vite.config.ts', 'package.json'];
const BUILT_MARKER = resolve(WEB_DIR, 'dist/index.html');

function newestModification(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestModification(join(path, entry))));
}

export function isWebAppStale(): boolean {
  if (!existsSync(BUILT_MARKER)) return true;
  const built = statSync(BUILT_MARKER).mtimeMs;
  return BUILD_INPUTS.some((input) => newestModification(resolve(WEB_DIR, input)) > built);
}

/** `npm run build -w web` when the sources changed since the last build (or there is none); true if it built. */
export function buildWebAppIfStale(): boolean {
  if (!isWebAppStale()) return false;
  const result = spawnSync('npm', ['run', 'build', '--workspace', 'web'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`Building the web app failed:\n${result.stdout}${result.stderr}`);
  return true;
}
