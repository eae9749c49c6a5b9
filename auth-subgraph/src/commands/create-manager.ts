import { parseArgs } from 'node:util';
import { ConfigError } from '@dishpatch/shared/config';
import { AppError, ConflictError } from '@dishpatch/shared/errors';
import { loadAuthConfig, passwordWorkQueueOf } from '../config.js';
import { createAuthDataSource, runAuthMigrations } from '../data-source.js';
import { PasswordHasher } from '../users/passwords.js';
import { validEmail, validPassword, validUsername } from '../users/user-input.js';
import { UserService } from '../users/user-service.js';

const USAGE = 'usage: npm run create-manager -- --email <email> --password <password> [--username <username>]';

export interface CommandOutput {
  out: (line: string) => void;
  err: (line: string) => void;
}

const consoleOutput: CommandOutput = { out: (line) => console.log(line), err: (line) => console.error(line) };

/** The database URL without its password, fit for a message. */
function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

function parseArguments(argv: string[]): { email: string; password: string; username: string | undefined } {
  const { values } = parseArgs({
    args: argv,
    options: { email: { type: 'string' }, password: { type: 'string' }, username: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.email === undefined) throw new UsageError('--email is required');
  if (values.password === undefined) throw new UsageError('--password is required');
  return {
    email: validEmail(values.email, '--email'),
    password: validPassword(values.password, '--password'),
    username: values.username === undefined ? undefined : validUsername(values.username, '--username'),
  };
}

class UsageError extends Error {}

/**
 * `npm run create-manager`: makes the account with this email a MANAGER (creating it when
 * there is none) in the database at AUTH_DATABASE_URL, or the local one `npm start` runs.
 * Migrates first, so it works on a fresh database. Returns the process exit code.
 */
export async function runCreateManager(
  argv: string[],
  environment: NodeJS.ProcessEnv = process.env,
  output: CommandOutput = consoleOutput,
): Promise<number> {
  let account: ReturnType<typeof parseArguments>;
  let config: ReturnType<typeof loadAuthConfig>;
  try {
    account = parseArguments(argv);
    config = loadAuthConfig(environment);
  } catch (error) {
    if (error instanceof AppError || error instanceof UsageError || error instanceof ConfigError || isParseArgsError(error)) {
      output.err(error.message);
      if (!(error instanceof ConfigError)) output.err(USAGE);
      return 2;
    }
    throw error;
  }

  const dataSource = createAuthDataSource({ url: config.AUTH_DATABASE_URL, poolSize: 2 });
  try {
    await dataSource.initialize();
  } catch (error) {
    output.err(
      `Could not reach the auth database at ${displayUrl(config.AUTH_DATABASE_URL)}: ${(error as Error).message}\n` +
        'Start `npm start` first (it runs the local database), or set AUTH_DATABASE_URL.',
    );
    return 1;
  }
  try {
    await runAuthMigrations(dataSource);
    const users = new UserService(dataSource, new PasswordHasher(config.BCRYPT_ROUNDS, passwordWorkQueueOf(config)));
    const { outcome, user } = await users.ensureManager(account);
    const who = `${user.email} (username ${user.username}, id ${user.id})`;
    if (outcome === 'created') output.out(`Created manager ${who}.`);
    if (outcome === 'promoted') output.out(`Promoted ${who} to MANAGER; the password is unchanged. The role shows from the next sign-in.`);
    if (outcome === 'already-manager') output.out(`${who} is already a MANAGER; nothing changed.`);
    return 0;
  } catch (error) {
    if (error instanceof ConflictError) {
      output.err(`${error.message}. Choose another with --username.`);
      return 1;
    }
    throw error;
  } finally {
    await dataSource.destroy();
  }
}

function isParseArgsError(error: unknown): error is Error {
  const code = (error as { code?: unknown }).code;
  return error instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
