import { fileURLToPath } from 'node:url';
import { ConfigError, commonConfigShape, env, loadConfig, sharedSecretConfigShape, subgraphLimitsConfigShape } from '@dishpatch/shared/config';
import { databaseTimeoutsConfigShape, databaseTimeoutsFrom } from '@dishpatch/shared/database';
import { PasswordWorkQueue } from './users/password-work-queue.js';

/** Below this work factor a stolen hash falls too fast; only tests may go lower, and must say so. */
export const MIN_PRODUCTION_BCRYPT_ROUNDS = 10;

/** `<repository root>/.data/auth`: where `npm start` keeps the generated signing key. */
const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../.data/auth', import.meta.url));

const authConfigShape = {
  ...commonConfigShape,
  ...sharedSecretConfigShape,
  ...subgraphLimitsConfigShape,
  AUTH_PORT: env.port(4001),
  AUTH_DATABASE_URL: env.url('postgres://postgres:postgres@127.0.0.1:54329/dishpatch_auth', ['postgres:', 'postgresql:']),
  ...databaseTimeoutsConfigShape,
  /** The gateway's deadline for this subgraph: only read to check that the database deadlines end before it. */
  GATEWAY_SUBGRAPH_TIMEOUT_MS: env.positiveInt(10_000, 600_000),
  ACCESS_TOKEN_TTL_SECONDS: env.positiveInt(900, 86_400),
  REFRESH_TOKEN_TTL_SECONDS: env.positiveInt(2_592_000, 31_536_000),
  /** Parallel refreshes with one refresh token within this window all succeed (0: none do); after it, reuse revokes the session. */
  REFRESH_TOKEN_REUSE_GRACE_SECONDS: env.intInRange(10, 0, 60),
  /** bcrypt work factor; values below 10 need BCRYPT_ALLOW_WEAK_ROUNDS=true (tests only). */
  BCRYPT_ROUNDS: env.intInRange(12, 4, 15),
  BCRYPT_ALLOW_WEAK_ROUNDS: env.boolean(false),
  /** bcrypt hashes running at once; 0 means one per core. */
  BCRYPT_MAX_CONCURRENT: env.intInRange(0, 0, 256),
  /** bcrypt hashes waiting for a turn; beyond it register and login answer SERVICE_UNAVAILABLE at once. */
  BCRYPT_MAX_QUEUED: env.intInRange(32, 0, 10_000),
  /** Longest wait for a bcrypt turn (ms), kept well under the gateway's 10 s subgraph timeout. */
  BCRYPT_MAX_WAIT_MS: env.intInRange(3000, 0, 8000),
  /** The ES256 (P-256) signing key as PEM; `\n` escapes are accepted for one-line environments. */
  AUTH_PRIVATE_KEY: env.optionalString(),
  AUTH_PRIVATE_KEY_FILE: env.optionalString(),
  /** PEM file of older public (or private) keys that still verify tokens after a rotation; they never sign. */
  AUTH_ADDITIONAL_PUBLIC_KEYS_FILE: env.optionalString(),
  /** Where a generated signing key is kept when no key is configured. */
  AUTH_DATA_DIR: env.string(DEFAULT_DATA_DIR),
  /** Failed logins for one email from one client address within the window before RATE_LIMITED (the owner elsewhere is not locked out). */
  LOGIN_MAX_FAILURES_PER_EMAIL_AND_ADDRESS: env.positiveInt(5, 1000),
  /** Failed logins from one client address within the window before RATE_LIMITED. */
  LOGIN_MAX_FAILURES_PER_ADDRESS: env.positiveInt(30, 100_000),
  LOGIN_FAILURE_WINDOW_SECONDS: env.positiveInt(900, 86_400),
  /** Registrations from one client address within REGISTRATION_WINDOW_SECONDS before RATE_LIMITED. */
  REGISTRATION_MAX_PER_ADDRESS: env.positiveInt(20, 1_000_000),
  REGISTRATION_WINDOW_SECONDS: env.positiveInt(3600, 86_400),
};

export type AuthConfig = ReturnType<typeof loadAuthConfig>;

/** Parses the auth subgraph's environment once; a bad value throws a ConfigError naming the variable. */
export function loadAuthConfig(environment: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(authConfigShape, environment);
  if (config.BCRYPT_ROUNDS < MIN_PRODUCTION_BCRYPT_ROUNDS && !config.BCRYPT_ALLOW_WEAK_ROUNDS) {
    throw new ConfigError(
      `Invalid configuration:\n  BCRYPT_ROUNDS=${config.BCRYPT_ROUNDS}: must be at least ${MIN_PRODUCTION_BCRYPT_ROUNDS} ` +
        '(lower values only with BCRYPT_ALLOW_WEAK_ROUNDS=true, for tests)',
    );
  }
  if (config.AUTH_PRIVATE_KEY && config.AUTH_PRIVATE_KEY_FILE) {
    throw new ConfigError('Invalid configuration:\n  AUTH_PRIVATE_KEY_FILE: set either AUTH_PRIVATE_KEY or AUTH_PRIVATE_KEY_FILE, not both');
  }
  const databaseTimeouts = databaseTimeoutsFrom(config, { variable: 'GATEWAY_SUBGRAPH_TIMEOUT_MS', ms: config.GATEWAY_SUBGRAPH_TIMEOUT_MS });
  return { ...config, databaseTimeouts };
}

/** The bound on bcrypt work that the configuration asks for (register, login, create-manager). */
export function passwordWorkQueueOf(config: AuthConfig): PasswordWorkQueue {
  return new PasswordWorkQueue({
    maxConcurrent: config.BCRYPT_MAX_CONCURRENT,
    maxQueued: config.BCRYPT_MAX_QUEUED,
    maxWaitMs: config.BCRYPT_MAX_WAIT_MS,
  });
}
