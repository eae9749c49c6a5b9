/**
 * `npm start` runs the services from their build (each workspace's dist/), made when the
 * sources changed since the last one: an edited source is what the next start runs, a removed
 * one is gone from the build, and an unchanged checkout is not built again. Here on a scratch
 * checkout with one small workspace, through the same build and the same node arguments.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildServicesIfStale } from '../../scripts/lib/service-build.js';
import { BUILT_ENTRY, REPO_ROOT } from '../../scripts/lib/service-process.js';

describe("the services' build for npm start", () => {
  let root: string;
  const workspace = 'greeter';
  const source = (path: string) => join(root, workspace, 'src', path);
  const build = () => buildServicesIfStale({ root, workspaces: [workspace] });
  /** The workspace's entry as npm start runs a service: node with BUILT_ENTRY in the workspace folder. */
  const run = () => execFileSync(process.execPath, BUILT_ENTRY, { cwd: join(root, workspace), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'dishpatch-start-build-'));
    for (const file of ['tsconfig.json', 'tsconfig.base.json']) copyFileSync(join(REPO_ROOT, file), join(root, file));
    mkdirSync(join(root, workspace, 'src', 'words'), { recursive: true });
    writeFileSync(join(root, workspace, 'package.json'), JSON.stringify({ name: workspace, type: 'module' }));
    writeFileSync(
      source('index.ts'),
      [
        "import { readFileSync } from 'node:fs';",
        "import { greet } from './greeting.js';",
        "const name: string = readFileSync(new URL('./words/name.txt', import.meta.url), 'utf8').trim();",
        'console.log(greet(name));',
      ].join('\n'),
    );
    writeFileSync(source('greeting.ts'), 'export function greet(name: string): string {\n  return `hello, ${name}`;\n}\n');
    writeFileSync(source('words/name.txt'), 'dishpatch\n');
    writeFileSync(source('unused.ts'), 'export const unused = 1;\n');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('builds a workspace that has no build, TypeScript and other files alike, and runs it', async () => {
    assert.deepEqual(await build(), [workspace]);
    assert.equal(run(), 'hello, dishpatch\n');
  });

  it('builds nothing again while the sources are unchanged', async () => {
    assert.deepEqual(await build(), []);
  });

  it('runs an edited source on the next build, and drops a removed one', async () => {
    writeFileSync(source('greeting.ts'), 'export function greet(name: string): string {\n  return `welcome to ${name}`;\n}\n');
    rmSync(source('unused.ts'));
    assert.deepEqual(await build(), [workspace]);
    assert.equal(run(), 'welcome to dishpatch\n');
    assert.ok(!existsSync(join(root, workspace, 'dist', 'unused.js')), 'no build of a removed source is left');
  });

  it('rebuilds when a file other than TypeScript changed', async () => {
    writeFileSync(source('words/name.txt'), 'the kitchen\n');
    assert.deepEqual(await build(), [workspace]);
    assert.equal(run(), 'welcome to the kitchen\n');
  });

  it("names the TypeScript source and line in a failure's stack trace", async () => {
    writeFileSync(source('greeting.ts'), 'export function greet(name: string): string {\n  throw new Error(`no greeting for ${name}`);\n}\n');
    assert.deepEqual(await build(), [workspace]);
    assert.throws(run, (error: { stderr: string }) => {
      assert.match(error.stderr, /no greeting for the kitchen/);
      assert.match(error.stderr, /src\/greeting\.ts:2/);
      return true;
    });
  });
});
