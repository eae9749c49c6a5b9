import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSharedSecret } from '../../shared/src/http/gateway-secret.js';

/** Where `npm start` keeps this run's secret, for tools that talk to a subgraph directly. */
export const SHARED_SECRET_FILE = 'subgraph-shared-secret';

/**
 * The secret the gateway and the subgraphs share under `npm start`: SUBGRAPH_SHARED_SECRET when
 * given, else a new one each run (nothing outlives the run that needs it), written to
 * `<data dir>/subgraph-shared-secret` readable by its owner only.
 */
export function prepareSharedSecret(dataDir: string, given: string | undefined): string {
  if (given) return given;
  const secret = generateSharedSecret();
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, SHARED_SECRET_FILE);
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return secret;
}
