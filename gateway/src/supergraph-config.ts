import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/** The repository root: where `supergraph.yaml` and the composed `supergraph.graphql` live. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SUPERGRAPH_CONFIG_PATH = resolve(REPO_ROOT, 'supergraph.yaml');
export const SUPERGRAPH_SDL_PATH = resolve(REPO_ROOT, 'supergraph.graphql');

export interface SubgraphConfig {
  name: string;
  /** Where the gateway sends this subgraph's fetches unless the environment says otherwise. */
  routingUrl: string;
  /** Absolute path of the subgraph's SDL file. */
  schemaFile: string;
}

export interface SupergraphConfig {
  /** As written in the file, e.g. `=2.14.4`. */
  federationVersion: string;
  subgraphs: SubgraphConfig[];
}

/** Raised when supergraph.yaml is not the rover format this project uses; the message says what is wrong. */
export class SupergraphConfigError extends Error {
  override name = 'SupergraphConfigError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Reads a rover `supergraph.yaml`. Only local schema files are supported (`schema.file`):
 * composition here must never need a running subgraph.
 */
export function readSupergraphConfig(configPath: string = SUPERGRAPH_CONFIG_PATH): SupergraphConfig {
  const document: unknown = parseYaml(readFileSync(configPath, 'utf8'));
  if (!isRecord(document)) throw new SupergraphConfigError(`${configPath}: expected a YAML mapping`);
  const federationVersion = document['federation_version'];
  if (typeof federationVersion !== 'string' || !/^=?2\.\d+\.\d+$/.test(federationVersion)) {
    throw new SupergraphConfigError(`${configPath}: federation_version must look like "=2.14.4"`);
  }
  const subgraphs = document['subgraphs'];
  if (!isRecord(subgraphs) || Object.keys(subgraphs).length === 0) {
    throw new SupergraphConfigError(`${configPath}: subgraphs must name at least one subgraph`);
  }
  return {
    federationVersion,
    subgraphs: Object.entries(subgraphs).map(([name, entry]) => {
      const where = `${configPath}: subgraphs.${name}`;
      if (!isRecord(entry)) throw new SupergraphConfigError(`${where}: expected a mapping`);
      const routingUrl = entry['routing_url'];
      if (typeof routingUrl !== 'string' || !URL.canParse(routingUrl)) {
        throw new SupergraphConfigError(`${where}.routing_url must be a URL`);
      }
      const schema = entry['schema'];
      if (!isRecord(schema) || typeof schema['file'] !== 'string') {
        throw new SupergraphConfigError(`${where}.schema.file must name the subgraph's SDL file`);
      }
      return { name, routingUrl, schemaFile: resolve(dirname(configPath), schema['file']) };
    }),
  };
}
