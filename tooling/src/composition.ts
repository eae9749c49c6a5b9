import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { composeServices, type CompositionSuccess } from '@apollo/composition';
import { getLocation, parse, Source, type GraphQLError, type GraphQLSchema } from 'graphql';
import { REPO_ROOT, type SupergraphConfig } from '../../gateway/src/supergraph-config.js';

type CompositionHint = CompositionSuccess['hints'][number];

export type SupergraphComposition =
  | { ok: true; supergraphSdl: string; apiSchema: GraphQLSchema; hints: CompositionHint[] }
  | { ok: false; errors: GraphQLError[] };

/** Composes the subgraphs' SDL files as `rover supergraph compose` would, without any running service. */
export function composeSupergraph(config: SupergraphConfig): SupergraphComposition {
  const services = config.subgraphs.map((subgraph) => ({
    name: subgraph.name,
    url: subgraph.routingUrl,
    typeDefs: parse(new Source(readFileSync(subgraph.schemaFile, 'utf8'), subgraph.schemaFile)),
  }));
  const result = composeServices(services);
  if (result.errors) return { ok: false, errors: result.errors };
  return {
    ok: true,
    supergraphSdl: `${result.supergraphSdl}\n`,
    // What clients see: the supergraph without its federation machinery.
    apiSchema: result.schema.toAPISchema().toGraphQLJSSchema(),
    hints: result.hints,
  };
}

/** One line per problem with its code and, when known, the file and line it comes from. */
export function describeCompositionError(error: GraphQLError): string {
  const code = typeof error.extensions['code'] === 'string' ? `[${error.extensions['code']}] ` : '';
  const places = (error.nodes ?? [])
    .map((node) => node.loc)
    .filter((loc) => loc !== undefined)
    .map((loc) => {
      const { line, column } = getLocation(loc.source, loc.start);
      return `${relative(REPO_ROOT, loc.source.name)}:${line}:${column}`;
    });
  return `${code}${error.message}${places.length > 0 ? `\n    at ${places.join(', ')}` : ''}`;
}

export function describeCompositionHint(hint: CompositionHint): string {
  return `[${hint.definition.code}] ${hint.message}`;
}
