/**
 * `npm run compose`: composes supergraph.yaml (rover's format) into supergraph.graphql, the
 * static supergraph the gateway serves. Prints every error and hint; exits non-zero on errors
 * and then leaves the committed file untouched.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { relative } from 'node:path';
import {
  composeSupergraph,
  describeCompositionError,
  describeCompositionHint,
} from '../tooling/src/composition.js';
import { readSupergraphConfig, REPO_ROOT, SUPERGRAPH_CONFIG_PATH, SUPERGRAPH_SDL_PATH } from '../gateway/src/supergraph-config.js';

const config = readSupergraphConfig(SUPERGRAPH_CONFIG_PATH);

// rover composes with exactly the version supergraph.yaml names; say so when ours differs.
const installedVersion = (createRequire(import.meta.url)('@apollo/composition/package.json') as { version: string }).version;
if (config.federationVersion.replace(/^=/, '') !== installedVersion) {
  console.warn(`  note: supergraph.yaml asks for federation ${config.federationVersion}, @apollo/composition here is ${installedVersion}`);
}
const composition = composeSupergraph(config);
const target = relative(REPO_ROOT, SUPERGRAPH_SDL_PATH);

if (!composition.ok) {
  console.error(`Composition failed with ${composition.errors.length} error(s); ${target} was left as it was:\n`);
  for (const error of composition.errors) console.error(`  ✗ ${describeCompositionError(error)}`);
  process.exit(1);
}

for (const hint of composition.hints) console.warn(`  hint ${describeCompositionHint(hint)}`);

let previous: string | undefined;
try {
  previous = readFileSync(SUPERGRAPH_SDL_PATH, 'utf8');
} catch (error) {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
if (previous === composition.supergraphSdl) {
  console.log(`${target} is up to date (${config.subgraphs.map((subgraph) => subgraph.name).join(', ')})`);
} else {
  writeFileSync(SUPERGRAPH_SDL_PATH, composition.supergraphSdl);
  console.log(`Wrote ${target} from ${config.subgraphs.map((subgraph) => subgraph.name).join(', ')}`);
}
