import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { buildSchema } from 'graphql';
import { composeSupergraph, describeCompositionError } from '../src/composition.js';
import { readSupergraphConfig, REPO_ROOT, SUPERGRAPH_SDL_PATH } from '../../gateway/src/supergraph-config.js';
import { contractGaps } from './support/schema-superset.js';

/** The client contract lives beside the repository (CI checks it out next to the clone). */
const CONTRACT_PATH = resolve(REPO_ROOT, '../shared/api/contract.graphql');

/**
 * Parts of the contract that are specified but not served yet, each with the issue that
 * builds it. The list only shrinks: a gap that is not listed fails the test, and so does a
 * listed gap that is already closed (take it off the list in the change that closes it).
 */
const OPEN_CONTRACT_GAPS: ReadonlyMap<string, number> = new Map([
]);

function freshComposition() {
  const composition = composeSupergraph(readSupergraphConfig());
  assert.ok(composition.ok, `composition failed:\n${composition.ok ? '' : composition.errors.map(describeCompositionError).join('\n')}`);
  return composition;
}

describe('composition', () => {
  it('the committed supergraph.graphql is what npm run compose makes from the subgraph SDLs now', () => {
    const committed = readFileSync(SUPERGRAPH_SDL_PATH, 'utf8');
    assert.ok(committed === freshComposition().supergraphSdl, 'supergraph.graphql is stale: run `npm run compose` and commit it');
  });

  it('serves everything the client contract promises, with the same types and defaults, but for the listed open gaps', () => {
    assert.ok(existsSync(CONTRACT_PATH), `the contract is expected at ${CONTRACT_PATH}`);
    const contract = buildSchema(readFileSync(CONTRACT_PATH, 'utf8'));
    const gaps = contractGaps(contract, freshComposition().apiSchema);
    assert.deepEqual(
      gaps.filter((gap) => !OPEN_CONTRACT_GAPS.has(gap)),
      [],
      'the served API breaks the contract where no open issue says it will be built',
    );
    const closed = [...OPEN_CONTRACT_GAPS].filter(([gap]) => !gaps.includes(gap)).map(([gap, issue]) => `${gap} (issue ${issue})`);
    assert.deepEqual(closed, [], 'these gaps are closed now: take them off OPEN_CONTRACT_GAPS');
  });

  it('the superset check notices a missing field, a retyped argument, a changed default and a lost enum value', () => {
    const contract = buildSchema(`
      enum Status { OPEN CLOSED }
      type Query { a(first: Int = 20): String!  b(id: ID!): Int  c: Status }
    `);
    const api = buildSchema(`
      enum Status { OPEN }
      type Query { a(first: Int = 10): String!  b(id: String!): Int  d: Int  c: Status }
    `);
    assert.deepEqual(contractGaps(contract, api).sort(), [
      'Query.a: argument first defaults to 10, the contract says 20',
      'Query.b: argument id is String!, the contract says ID!',
      'Status.CLOSED is missing',
    ]);
    const missing = buildSchema(`enum Status { OPEN CLOSED } type Query { a(first: Int = 20): String! c: Status }`);
    assert.deepEqual(contractGaps(contract, missing), ['Query.b is missing']);
  });

  it('reports a composition error with its code and where it comes from', () => {
    const composition = composeSupergraph({
      federationVersion: '=2.14.4',
      subgraphs: [
        { name: 'first', routingUrl: 'http://127.0.0.1:1/graphql', schemaFile: resolve(import.meta.dirname, 'fixtures/conflict-a.graphql') },
        { name: 'second', routingUrl: 'http://127.0.0.1:2/graphql', schemaFile: resolve(import.meta.dirname, 'fixtures/conflict-b.graphql') },
      ],
    });
    assert.equal(composition.ok, false);
    const described = composition.ok ? [] : composition.errors.map(describeCompositionError);
    assert.ok(
      described.some((line) => line.includes('[FIELD_TYPE_MISMATCH]') && line.includes('tooling/test/fixtures/conflict-b.graphql:')),
      described.join('\n'),
    );
  });
});
