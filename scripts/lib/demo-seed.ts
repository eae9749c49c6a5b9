import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GraphQLRequestError, requestGraphQL } from './graphql-client.js';
import { REPO_ROOT } from './service-process.js';

export interface DemoManager {
  email: string;
  username: string;
  password: string;
}

/** A dozen dishes, so the menu has something on it from the first minute. */
export const DEMO_MENU = [
  { name: 'Margherita', description: 'Tomato, fior di latte, basil', price: '9.50', quantity: 40 },
  { name: 'Diavola', description: 'Tomato, mozzarella, spicy salami', price: '11.00', quantity: 30 },
  { name: 'Quattro Formaggi', description: 'Mozzarella, gorgonzola, parmesan, fontina', price: '12.50', quantity: 25 },
  { name: 'Spaghetti Carbonara', description: 'Guanciale, egg yolk, pecorino, black pepper', price: '13.00', quantity: 30 },
  { name: 'Penne all’Arrabbiata', description: 'Tomato, garlic, chili', price: '10.50', quantity: 30 },
  { name: 'Lasagne', description: 'Beef ragù, béchamel, parmesan', price: '14.00', quantity: 20 },
  { name: 'Risotto ai Funghi', description: 'Carnaroli rice, porcini, parmesan', price: '15.50', quantity: 15 },
  { name: 'Caesar Salad', description: 'Romaine, croutons, parmesan, anchovy dressing', price: '8.75', quantity: 25 },
  { name: 'Minestrone', description: 'Seasonal vegetables, beans, pasta', price: '7.25', quantity: 20 },
  { name: 'Tiramisù', description: 'Mascarpone, espresso, cocoa', price: '6.50', quantity: 30 },
  { name: 'Panna Cotta', description: 'Vanilla cream, berry coulis', price: '6.00', quantity: 25 },
  { name: 'Lemonade', description: 'Fresh lemons, mint', price: '3.80', quantity: 60 },
] as const;

/** The demo manager's sign-in: made once with a random password, kept in `credentialsFile` (under .data/, gitignored). */
function demoManager(credentialsFile: string): { manager: DemoManager; isNew: boolean } {
  if (existsSync(credentialsFile)) return { manager: JSON.parse(readFileSync(credentialsFile, 'utf8')) as DemoManager, isNew: false };
  const manager = { email: 'manager@dishpatch.local', username: 'manager', password: `demo-${randomBytes(6).toString('base64url')}` };
  mkdirSync(dirname(credentialsFile), { recursive: true });
  writeFileSync(credentialsFile, `${JSON.stringify(manager, null, 2)}\n`, { mode: 0o600 });
  return { manager, isNew: true };
}

export interface PreparedDemoManager {
  manager: DemoManager;
  /** Settles once `npm run create-manager` has run for a new demo manager; true if it did. */
  created: Promise<boolean>;
}

/** On a first run, starts making the demo manager at once, while the other services start. */
export function prepareDemoManager(credentialsFile: string, env: NodeJS.ProcessEnv): PreparedDemoManager {
  const { manager, isNew } = demoManager(credentialsFile);
  const created = isNew ? runCreateManager(manager, env).then(() => true) : Promise.resolve(false);
  // Awaited later by seedDemo; until then a failure must not count as unhandled.
  created.catch(() => undefined);
  return { manager, created };
}

/**
 * What `npm run create-manager` runs (idempotent: creates or promotes), from auth's build like
 * the services (see service-build.ts), so it loads no TypeScript compiler.
 */
export async function runCreateManager(manager: DemoManager, env: NodeJS.ProcessEnv): Promise<void> {
  const args = ['--enable-source-maps', 'auth-subgraph/dist/commands/create-manager-cli.js', '--email', manager.email, '--password', manager.password, '--username', manager.username];
  const output: string[] = [];
  const code = await new Promise<number | null>((resolveExit, rejectSpawn) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
    child.once('error', rejectSpawn);
    child.once('exit', resolveExit);
  });
  if (code !== 0) throw new Error(`npm run create-manager failed (exit ${code}):\n${output.join('').trim()}`);
}

async function login(graphqlUrl: string, manager: DemoManager): Promise<string> {
  const data = await requestGraphQL<{ login: { accessToken: string } }>(
    graphqlUrl,
    'mutation Login($input: LoginInput!) { login(input: $input) { accessToken } }',
    { variables: { input: { email: manager.email, password: manager.password } } },
  );
  return data.login.accessToken;
}

export interface DemoSeedResult {
  manager: DemoManager;
  createdManager: boolean;
  createdDishes: number;
}

/**
 * Seeds what a newcomer needs, through the gateway like any client: the demo manager (only
 * when it cannot sign in yet) and the demo menu (only when there are no dishes at all), so
 * a second start changes nothing.
 */
export async function seedDemo(graphqlUrl: string, env: NodeJS.ProcessEnv, prepared: PreparedDemoManager): Promise<DemoSeedResult> {
  const { manager } = prepared;
  let createdManager = await prepared.created;
  let token: string;
  try {
    token = await login(graphqlUrl, manager);
  } catch (error) {
    // Known credentials but a new database (e.g. .data/postgres was removed): make the manager again.
    if (createdManager || !(error instanceof GraphQLRequestError && error.code === 'UNAUTHENTICATED')) throw error;
    await runCreateManager(manager, env);
    createdManager = true;
    token = await login(graphqlUrl, manager);
  }
  const { dishes } = await requestGraphQL<{ dishes: Array<{ id: string }> }>(graphqlUrl, '{ dishes(includeUnavailable: true) { id } }', { token });
  if (dishes.length > 0) return { manager, createdManager, createdDishes: 0 };
  // All at once: twelve round trips one after another would be most of a first start's wait for the seed.
  await Promise.all(
    DEMO_MENU.map((dish) =>
      requestGraphQL(graphqlUrl, 'mutation CreateDish($input: CreateDishInput!) { createDish(input: $input) { id } }', { token, variables: { input: dish } }),
    ),
  );
  return { manager, createdManager, createdDishes: DEMO_MENU.length };
}
