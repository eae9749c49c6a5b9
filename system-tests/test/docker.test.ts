/**
 * What can be checked of the container setup without a Docker engine: docker-compose.yml
 * parses and gives each service every setting its own config needs, and the one Dockerfile
 * has a target per service that copies paths that exist and runs commands that exist, plus a
 * stage that builds the web app whose static files, and nothing else, the gateway image takes.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { posix, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { generateSharedSecret } from '@dishpatch/shared/http';
import { loadAuthConfig } from '../../auth-subgraph/src/config.js';
import { loadOrdersConfig } from '../../orders-subgraph/src/config.js';
import { loadWorkerConfig } from '../../worker/src/config.js';
import { resolveSubgraphUrls } from '../../gateway/src/app.js';
import { loadGatewayConfig, type GatewayConfig } from '../../gateway/src/config.js';
import { readSupergraphConfig, REPO_ROOT } from '../../gateway/src/supergraph-config.js';
import { WEB_APP_BUILD_DIR } from '../../gateway/src/web-app.js';
import { readConfig } from '../../tooling/src/deploy/service-configs.js';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string; target?: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] };
  ports?: string[];
}

const compose = parseYaml(readFileSync(resolve(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> };
interface PackageManifest {
  name: string;
  workspaces: string[];
  scripts: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
const manifest = (directory: string) => JSON.parse(readFileSync(resolve(REPO_ROOT, directory, 'package.json'), 'utf8')) as PackageManifest;
const rootPackage = manifest('.');

/** The workspaces a workspace depends on, directly or through another, by their folders. */
function workspaceDependencies(workspace: string): string[] {
  const folderOf = new Map(rootPackage.workspaces.map((folder) => [manifest(folder).name, folder]));
  const found = new Set<string>();
  const visit = (folder: string) => {
    for (const name of Object.keys(manifest(folder).dependencies ?? {})) {
      const dependency = folderOf.get(name);
      if (dependency && !found.has(dependency)) {
        found.add(dependency);
        visit(dependency);
      }
    }
  };
  visit(workspace);
  return [...found];
}

/** The stage that builds the web app, and the one image that serves it (at /app/). */
const WEB_BUILD_STAGE = 'web-build';
const WEB_APP_SERVER = 'gateway';

/** Each application container, the workspace it runs, its config loader and its port variable. */
const APPLICATIONS = {
  auth: { workspace: 'auth-subgraph', load: loadAuthConfig, portVariable: 'AUTH_PORT' },
  orders: { workspace: 'orders-subgraph', load: loadOrdersConfig, portVariable: 'ORDERS_PORT' },
  worker: { workspace: 'worker', load: loadWorkerConfig, portVariable: 'WORKER_PORT' },
  gateway: {
    workspace: 'gateway',
    load: loadGatewayConfig,
    portVariable: 'GATEWAY_PORT',
    // Where the gateway sends its fetches: supergraph.yaml's routing URLs unless overridden.
    derived: (config: Record<string, unknown>) => resolveSubgraphUrls(config as GatewayConfig, readSupergraphConfig()),
  },
} as const satisfies Record<string, { workspace: string; load: unknown; portVariable: string; derived?: unknown }>;

/**
 * What the deployer's environment gives compose (`${NAME:?message}`, required); a test value
 * of the right form for each.
 */
const DEPLOYER_ENVIRONMENT: Record<string, string> = { SUBGRAPH_SHARED_SECRET: generateSharedSecret() };
const REQUIRED_FROM_ENVIRONMENT = /^\$\{([A-Z_]+):\?[^}]*\}$/;

/** A service's environment as compose gives it, with each `${NAME:?…}` taken from DEPLOYER_ENVIRONMENT. */
function interpolated(environment: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).map(([key, value]) => {
      const required = REQUIRED_FROM_ENVIRONMENT.exec(value);
      if (!required) return [key, value];
      const given = DEPLOYER_ENVIRONMENT[required[1]!];
      assert.ok(given !== undefined, `${key} reads \${${required[1]}} from an environment this test does not know`);
      return [key, given];
    }),
  );
}

/** A default that only works on the developer's machine: a local address or a folder in the repository. */
function isMachineLocal(value: unknown): boolean {
  return typeof value === 'string' && (/127\.0\.0\.1|localhost/.test(value) || value.startsWith(REPO_ROOT));
}

function service(name: string): ComposeService {
  const found = compose.services[name];
  assert.ok(found, `docker-compose.yml has no service ${name}`);
  return found;
}

describe('docker-compose.yml', () => {
  it('runs two PostgreSQL, a Redis that never evicts, and the four services', () => {
    const postgres = Object.entries(compose.services).filter(([, definition]) => definition.image?.startsWith('postgres:'));
    assert.deepEqual(postgres.map(([name]) => name).sort(), ['auth-db', 'orders-db']);
    const redis = service('redis');
    assert.ok(redis.image?.startsWith('redis:'));
    assert.ok(redis.command?.join(' ').includes('--maxmemory-policy noeviction'), 'Redis runs with noeviction');
    for (const [name, application] of Object.entries(APPLICATIONS)) {
      const build = service(name).build;
      assert.ok(build, `${name} is built from the repository`);
      assert.equal(build.context, '.', `${name} builds from the repository root`);
      assert.equal(build.dockerfile ?? 'Dockerfile', 'Dockerfile', `${name} builds from the one Dockerfile`);
      assert.equal(build.target, application.workspace, `${name} builds the target named after its workspace`);
    }
    assert.deepEqual(service('gateway').ports, ['4000:4000']);
  });

  it("gives the gateway the worker's Redis and prefix (the live-events stream) and auth's JWKS, and starts it after Redis is healthy", () => {
    const gateway = service('gateway');
    const worker = service('worker');
    assert.equal(gateway.environment?.['REDIS_URL'], worker.environment?.['REDIS_URL']);
    assert.equal(gateway.environment?.['REDIS_PREFIX'], worker.environment?.['REDIS_PREFIX']);
    assert.equal(gateway.environment?.['AUTH_JWKS_URL'], service('orders').environment?.['AUTH_JWKS_URL']);
    assert.deepEqual(gateway.depends_on?.['redis'], { condition: 'service_healthy' });
  });

  it("takes SUBGRAPH_SHARED_SECRET from the deployer's environment, required, for the gateway and both subgraphs only", () => {
    for (const name of ['gateway', 'auth', 'orders']) {
      assert.match(service(name).environment?.['SUBGRAPH_SHARED_SECRET'] ?? '', /^\$\{SUBGRAPH_SHARED_SECRET:\?.+\}$/, name);
    }
    assert.equal(service('worker').environment?.['SUBGRAPH_SHARED_SECRET'], undefined);
  });

  for (const [name, application] of Object.entries(APPLICATIONS)) {
    describe(name, () => {
      const definition = service(name);
      const environment = interpolated(definition.environment ?? {});

      it("sets every variable whose default only fits a developer's machine, with values its config accepts", () => {
        const defaults = readConfig(application.load, {});
        const machineLocal = Object.keys(defaults.config).filter((key) => isMachineLocal(defaults.config[key]));
        for (const key of [...machineLocal, application.portVariable]) {
          assert.ok(environment[key], `${name} must set ${key} (its default ${JSON.stringify(defaults.config[key])} means nothing in a container)`);
        }
        const configured = readConfig(application.load, environment).config;
        const effective = { ...configured, ...('derived' in application ? application.derived(configured) : {}) };
        for (const [key, value] of Object.entries(effective)) {
          assert.ok(!isMachineLocal(value), `${name}: ${key}=${String(value)} points at the container itself`);
        }
      });

      it('sets no variable its config does not read (a typo would be silently ignored)', () => {
        const { read } = readConfig(application.load, environment);
        assert.deepEqual(Object.keys(environment).filter((key) => !read.has(key)), []);
      });

      it('reaches other containers by their service names and ports', () => {
        for (const [key, value] of Object.entries(environment)) {
          if (!/^[a-z]+:\/\//.test(value)) continue;
          const url = new URL(value);
          const target = service(url.hostname);
          const targetApplication = APPLICATIONS[url.hostname as keyof typeof APPLICATIONS];
          if (targetApplication) {
            assert.equal(url.port, target.environment?.[targetApplication.portVariable], `${name}: ${key} uses ${url.hostname}'s port`);
          }
        }
      });

      it('has a health check on its own port, and waits for what it needs to be healthy', () => {
        const test = definition.healthcheck?.test?.join(' ') ?? '';
        assert.ok(test.includes(`127.0.0.1:${environment[application.portVariable]}/ready`), test);
        const dependencies = Object.entries(definition.depends_on ?? {});
        assert.ok(dependencies.length > 0);
        for (const [dependency, { condition }] of dependencies) {
          assert.equal(condition, 'service_healthy', `${name} waits for ${dependency} to be healthy`);
          assert.ok(service(dependency).healthcheck?.test, `${dependency} has a health check`);
        }
      });
    });
  }
});

interface DockerInstruction {
  keyword: string;
  args: string;
}

interface DockerStage {
  name: string;
  /** The image or earlier stage this stage starts from. */
  from: string;
  instructions: DockerInstruction[];
}

/** Instructions of a Dockerfile, continuation lines joined, comments dropped. */
function instructionsOf(dockerfile: string): DockerInstruction[] {
  return dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** The stages of a Dockerfile, each with the instructions after its FROM. */
function stagesOf(instructions: DockerInstruction[]): DockerStage[] {
  const stages: DockerStage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [from = '', as, name] = instruction.args.split(/\s+/);
      stages.push({ name: as?.toUpperCase() === 'AS' && name ? name : String(stages.length), from, instructions: [] });
    } else {
      assert.ok(stages.length > 0, `${instruction.keyword} before any FROM`);
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return stages;
}

describe('Dockerfile', () => {
  const ignored = readFileSync(resolve(REPO_ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const isIgnored = (path: string) =>
    ignored.some((pattern) => {
      const bare = pattern.replace(/^\*\*\//, '');
      return path === bare || path.startsWith(`${bare}/`) || path.split('/').includes(bare);
    });

  const instructions = instructionsOf(readFileSync(resolve(REPO_ROOT, 'Dockerfile'), 'utf8'));
  const stages = stagesOf(instructions);
  const stage = (name: string) => {
    const found = stages.find((candidate) => candidate.name === name);
    assert.ok(found, `the Dockerfile has no stage ${name}`);
    return found;
  };
  /** A stage and the stages it is built on, nearest first. */
  const lineage = (name: string): DockerStage[] => {
    const chain = [stage(name)];
    for (;;) {
      const parent = stages.find((candidate) => candidate.name === chain.at(-1)!.from);
      if (!parent) return chain;
      chain.push(parent);
    }
  };
  /** The last instruction of a kind in effect in a stage: its own, else inherited. */
  const effective = (chain: DockerStage[], keyword: string) =>
    chain.map((link) => link.instructions.filter((instruction) => instruction.keyword === keyword).at(-1)).find(Boolean)?.args;
  /** What a chain copies from other stages (`COPY --from=<stage> <source>... <destination>`). */
  const copiesFrom = (chain: DockerStage[]) =>
    chain.flatMap((link) => link.instructions)
      .filter((instruction) => instruction.keyword === 'COPY')
      .map((instruction) => {
        const parts = instruction.args.split(/\s+/);
        const from = parts.map((part) => /^--from=(\S+)$/.exec(part)?.[1]).find(Boolean);
        const paths = parts.filter((part) => !part.startsWith('--'));
        return { from, sources: paths.slice(0, -1), destination: paths.at(-1)! };
      })
      .filter((copy): copy is typeof copy & { from: string } => copy.from !== undefined);
  /** The stages a chain copies files from. */
  const copiedFrom = (chain: DockerStage[]) => copiesFrom(chain).map((copy) => copy.from);
  const runs = (chain: DockerStage[], command: string) =>
    chain.some((link) => link.instructions.some((instruction) => instruction.keyword === 'RUN' && instruction.args.includes(command)));
  /** The arguments of the chain's first `RUN` that includes the command. */
  const runOf = (chain: DockerStage[], command: string) =>
    chain.flatMap((link) => link.instructions).find((instruction) => instruction.keyword === 'RUN' && instruction.args.includes(command))?.args;
  /** npm ci checks the lockfile against every workspace's manifest: the chain copies them all. */
  const assertSeesEveryManifest = (chain: DockerStage[]) => {
    const copied = chain.flatMap((link) => link.instructions).filter((instruction) => instruction.keyword === 'COPY').map((instruction) => instruction.args);
    for (const workspace of rootPackage.workspaces) {
      assert.ok(copied.includes(`${workspace}/package.json ${workspace}/package.json`), `npm ci sees ${workspace}/package.json`);
    }
  };
  /** `--workspace=<name>`, `--workspace <name>` and `-w <name>` in a command. */
  const workspacesIn = (command: string) => [...command.matchAll(/(?:--workspace[= ]|-w )(\S+)/g)].map(([, workspace]) => workspace!);

  it('is the only one: no workspace keeps a Dockerfile of its own', () => {
    for (const workspace of rootPackage.workspaces) {
      assert.ok(!existsSync(resolve(REPO_ROOT, workspace, 'Dockerfile')), `${workspace}/Dockerfile is gone`);
    }
    assert.deepEqual(readdirSync(REPO_ROOT).filter((entry) => /dockerfile/i.test(entry)), ['Dockerfile']);
  });

  it('starts from a supported Node LTS image (Node 20 reached end of life in April 2026)', () => {
    const images = stages.map((candidate) => candidate.from).filter((from) => !stages.some((candidate) => candidate.name === from));
    assert.deepEqual(images, ['node:24-bookworm-slim']);
  });

  it('copies only paths that exist in the build context and are not ignored', () => {
    for (const { args } of instructions.filter((instruction) => instruction.keyword === 'COPY' && !instruction.args.includes('--from'))) {
      const sources = args.split(/\s+/).filter((part) => !part.startsWith('--')).slice(0, -1);
      for (const source of sources) {
        assert.ok(existsSync(resolve(REPO_ROOT, source)), `${source} exists`);
        assert.ok(!isIgnored(posix.normalize(source)), `${source} is not excluded by .dockerignore`);
      }
    }
  });

  it('runs only npm scripts that exist, in the workspace named', () => {
    for (const { args } of instructions.filter((instruction) => instruction.keyword === 'RUN')) {
      for (const command of args.split('&&').filter((part) => /npm run \S+/.test(part))) {
        const script = /npm run (\S+)/.exec(command)![1]!;
        const [workspace = '.'] = workspacesIn(command);
        assert.ok(manifest(workspace).scripts[script], `npm run ${script} exists in ${workspace}/package.json`);
      }
    }
  });

  it("sends web/ sources to the web build stage only; the context keeps none of web's tests, nor a local build", () => {
    for (const current of stages.filter((candidate) => candidate.name !== WEB_BUILD_STAGE)) {
      const webSources = current.instructions
        .filter((instruction) => instruction.keyword === 'COPY' && !instruction.args.includes('--from'))
        .flatMap((instruction) => instruction.args.split(/\s+/).filter((part) => !part.startsWith('--')).slice(0, -1))
        .filter((source) => posix.normalize(source).startsWith('web/') && posix.normalize(source) !== 'web/package.json');
      assert.deepEqual(webSources, [], `${current.name} copies web/ sources`);
    }
    for (const path of ['web/dist', 'web/e2e', 'web/test']) assert.ok(isIgnored(path), `.dockerignore excludes ${path}`);
  });

  describe(`stage ${WEB_BUILD_STAGE}`, () => {
    const chain = lineage(WEB_BUILD_STAGE);
    const webPackage = manifest('web');

    it('installs the web workspace from the lockfile, with every workspace manifest the lockfile names, then runs its build', () => {
      const install = runOf(chain, 'npm ci');
      assert.ok(install, 'npm ci');
      assert.deepEqual(workspacesIn(install), ['web']);
      assert.ok(!install.includes('--omit=dev'), 'the build tools (Vite) are dev dependencies');
      assertSeesEveryManifest(chain);
      const steps = chain.flatMap((link) => link.instructions);
      const build = steps.findIndex((instruction) => instruction.keyword === 'RUN' && /npm run build (-w web|--workspace[= ]web)/.test(instruction.args));
      assert.ok(build > steps.findIndex((instruction) => instruction.args === install), 'npm run build -w web, after the install');
    });

    it("builds with the web workspace's own dependencies and the committed generated types only", () => {
      // npm ci --workspace=web installs web's dependency tree, not the root's: every tool the build runs is web's own.
      const own = { ...webPackage.dependencies, ...webPackage.devDependencies };
      for (const step of webPackage.scripts['build']!.split('&&').map((part) => part.trim().split(/\s+/))) {
        const imported = step.filter((_, index) => step[index - 1] === '--import');
        for (const tool of step[0] === 'node' ? imported : [step[0]!, ...imported]) assert.ok(own[tool], `web/package.json depends on ${tool}`);
      }
      // The stage runs no codegen: web/src/gql is generated by `npm run codegen` and committed.
      assert.ok(!runs(chain, 'codegen'));
      assert.ok(existsSync(resolve(REPO_ROOT, 'web/src/gql/graphql.ts')) && !isIgnored('web/src/gql/graphql.ts'), 'web/src/gql reaches the build');
    });
  });

  for (const [name, application] of Object.entries(APPLICATIONS)) {
    describe(`target ${application.workspace} (${name})`, () => {
      const chain = lineage(application.workspace);
      const target = chain[0]!;

      it('runs as a non-root user', () => {
        const user = effective(chain, 'USER');
        assert.ok(user && !['root', '0'].includes(user), `${application.workspace} user: ${user}`);
      });

      it('installs the production dependencies of its own workspace, with every workspace manifest the lockfile names', () => {
        const installers = copiedFrom(chain).filter((from) => from !== WEB_BUILD_STAGE).map(lineage).filter((from) => runs(from, 'npm ci'));
        assert.equal(installers.length, 1, `${application.workspace} copies its dependencies from one stage`);
        const installer = installers[0]!;
        const install = runOf(installer, 'npm ci')!;
        assert.ok(install.includes('--omit=dev'), 'npm ci --omit=dev');
        assert.deepEqual(workspacesIn(install), [application.workspace]);
        assertSeesEveryManifest(installer);
      });

      if (application.workspace === WEB_APP_SERVER) {
        it("takes the web build's static files and nothing else from it, where gateway/src/web-app.ts serves them", () => {
          const webBuildCopies = copiesFrom(chain).filter((copy) => copy.from === WEB_BUILD_STAGE);
          assert.equal(webBuildCopies.length, 1);
          const [{ sources, destination }] = webBuildCopies as [(typeof webBuildCopies)[number]];
          const builtAt = posix.join(effective(lineage(WEB_BUILD_STAGE), 'WORKDIR') ?? '/', 'web', 'dist');
          assert.deepEqual(sources, [builtAt], 'web/dist as the web build stage wrote it');
          // REPO_ROOT in the image is the folder above the workspace the gateway runs from.
          const repositoryRoot = posix.dirname(effective(chain, 'WORKDIR')!);
          assert.equal(destination, posix.join(repositoryRoot, relative(REPO_ROOT, WEB_APP_BUILD_DIR)));
        });
      } else {
        it('takes nothing from the web build stage', () => {
          assert.ok(!copiedFrom(chain).includes(WEB_BUILD_STAGE));
        });
      }

      it('copies the sources of every workspace it imports (through the workspace links npm ci makes)', () => {
        const copied = chain.flatMap((link) => link.instructions).filter((instruction) => instruction.keyword === 'COPY' && !instruction.args.includes('--from')).map((instruction) => instruction.args);
        for (const workspace of workspaceDependencies(application.workspace)) {
          assert.ok(copied.includes(`${workspace}/src ${workspace}/src`), `${application.workspace} needs ${workspace}/src`);
        }
      });

      it('has a health check on its own port', () => {
        const healthcheck = effective(chain, 'HEALTHCHECK') ?? '';
        assert.ok(healthcheck.includes(`process.env.${application.portVariable}`), healthcheck);
        const port = service(name).environment?.[application.portVariable];
        assert.ok(effective(chain, 'EXPOSE')?.split(/\s+/).includes(port!), `${application.workspace} exposes ${port}`);
      });

      it('starts the workspace entry point with the tsx it installs', () => {
        const tsxPrefix = /npm install --prefix (\S+)/.exec(instructions.map((instruction) => instruction.args).join('\n'))?.[1];
        assert.ok(tsxPrefix, 'tsx is installed apart');
        assert.ok(copiedFrom(chain).some((from) => lineage(from).some((link) => link.instructions.some((instruction) => instruction.args.includes(`npm install --prefix ${tsxPrefix}`)))), 'the target copies that tsx');
        const cmd = JSON.parse(target.instructions.find((instruction) => instruction.keyword === 'CMD')!.args) as string[];
        assert.equal(effective(chain, 'WORKDIR'), `/app/${application.workspace}`);
        const loader = cmd[cmd.indexOf('--import') + 1]!;
        assert.equal(loader, `file://${tsxPrefix}/node_modules/tsx/dist/loader.mjs`);
        // The same file in the locally installed tsx: the path inside the package is right.
        assert.ok(existsSync(resolve(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')));
        assert.ok(existsSync(resolve(REPO_ROOT, application.workspace, cmd.at(-1)!)), `${cmd.at(-1)} exists in ${application.workspace}`);
        assert.deepEqual(JSON.parse(readFileSync(resolve(REPO_ROOT, application.workspace, 'package.json'), 'utf8')).scripts.start, 'tsx --conditions=source src/index.ts');
        assert.ok(cmd.includes('--conditions=source'));
      });
    });
  }
});
