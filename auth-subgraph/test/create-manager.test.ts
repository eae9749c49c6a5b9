import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@dishpatch/shared/testing';
import { AuthHarness, LOGIN, type AuthPayload } from './harness.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the root script exactly as a person would, against the given database. */
function createManager(args: string[], databaseUrl: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'create-manager', '--', ...args], {
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, AUTH_DATABASE_URL: databaseUrl, BCRYPT_ROUNDS: '4', BCRYPT_ALLOW_WEAK_ROUNDS: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run create-manager', () => {
  const auth = new AuthHarness();
  let fresh: TestDatabase;
  before(async () => {
    await auth.start({ label: 'create_manager' });
    fresh = await createTestDatabase('create_manager_fresh');
  });
  after(async () => {
    await auth.stop();
    await fresh.drop();
  });

  const roleOf = async (email: string) =>
    ((await auth.app.dataSource.query(`SELECT role FROM users WHERE lower(email) = lower($1)`, [email])) as Array<{ role: string }>).map(
      (row) => row.role,
    );

  it('creates a manager who can sign in, and a second run changes nothing', async () => {
    const first = await createManager(['--email', 'Chief@Example.com', '--password', 'kitchen-master', '--username', 'chief'], auth.databaseUrl);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Created manager Chief@Example\.com \(username chief/);
    assert.deepEqual(await roleOf('chief@example.com'), ['MANAGER']);
    const login = await auth.ok<{ login: AuthPayload }>(LOGIN, { input: { email: 'chief@example.com', password: 'kitchen-master' } });
    assert.equal(login.login.user.role, 'MANAGER');

    const second = await createManager(['--email', 'chief@example.com', '--password', 'kitchen-master'], auth.databaseUrl);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /already a MANAGER; nothing changed/);
    assert.deepEqual(await roleOf('chief@example.com'), ['MANAGER'], 'still one account');
  });

  it('promotes an existing account and leaves its password alone', async () => {
    const customer = await auth.register('regular', { password: 'my-own-password' });
    const result = await createManager(['--email', 'regular@example.com', '--password', 'another-password'], auth.databaseUrl);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Promoted regular@example\.com .* to MANAGER/);
    assert.deepEqual(await roleOf('regular@example.com'), ['MANAGER']);
    const login = await auth.ok<{ login: AuthPayload }>(LOGIN, { input: { email: 'regular@example.com', password: 'my-own-password' } });
    assert.equal(login.login.user.id, customer.user.id);
    assert.equal(login.login.user.role, 'MANAGER');
  });

  it('migrates a fresh database first and makes a username from the email', async () => {
    const result = await createManager(['--email', 'first.boss@example.com', '--password', 'kitchen-master'], fresh.url);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /username first\.boss/);
  });

  it('explains bad arguments with the usage line', async () => {
    for (const [args, message] of [
      [['--password', 'kitchen-master'], /--email is required/],
      [['--email', 'boss@example.com'], /--password is required/],
      [['--email', 'not-an-email', '--password', 'kitchen-master'], /--email: must be a valid email address/],
      [['--email', 'boss@example.com', '--password', 'short'], /--password: must be 8-72 bytes/],
      [['--email', 'boss@example.com', '--password', 'kitchen-master', '--username', 'x'], /--username: must be 3-50/],
      [['--email', 'boss@example.com', '--password', 'kitchen-master', '--role', 'x'], /Unknown option '--role'/],
    ] as const) {
      const result = await createManager([...args], auth.databaseUrl);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /usage: npm run create-manager -- --email/);
    }
    assert.deepEqual(await roleOf('boss@example.com'), [], 'nothing written');
  });

  it('refuses a taken username with a clear message', async () => {
    await auth.register('taken-name');
    const result = await createManager(['--email', 'new-boss@example.com', '--password', 'kitchen-master', '--username', 'Taken-Name'], auth.databaseUrl);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /username is taken\. Choose another with --username/);
    assert.deepEqual(await roleOf('new-boss@example.com'), []);
  });

  it('says to start npm start or set AUTH_DATABASE_URL when the database cannot be reached', async () => {
    const result = await createManager(['--email', 'boss@example.com', '--password', 'kitchen-master'], 'postgres://postgres:s3cret@127.0.0.1:1/dishpatch_auth');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Could not reach the auth database at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/dishpatch_auth/);
    assert.match(result.stderr, /Start `npm start` first .* or set AUTH_DATABASE_URL/);
    assert.doesNotMatch(result.stderr, /s3cret/);
  });
});
