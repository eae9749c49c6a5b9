import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parse, specifiedRules, validate } from 'graphql';
import { composeSupergraph } from '../../tooling/src/composition.js';
import { loadGatewayConfig } from '../../gateway/src/config.js';
import { requestGuards } from '../../gateway/src/guards.js';
import { readSupergraphConfig, REPO_ROOT } from '../../gateway/src/supergraph-config.js';

const EXAMPLES_DIR = resolve(REPO_ROOT, 'examples');
const EXPECTED = [
  'follow-order.graphql',
  'login.graphql',
  'manager-add-dish.graphql',
  'manager-list-users.graphql',
  'manager-promote.graphql',
  'menu.graphql',
  'my-orders.graphql',
  'place-order.graphql',
  'register.graphql',
];

describe('examples/', () => {
  const composition = composeSupergraph(readSupergraphConfig());
  assert.ok(composition.ok);
  const guards = requestGuards(loadGatewayConfig({}));
  const files = readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.graphql')).sort();

  it('holds the operations a newcomer tries first', () => {
    assert.deepEqual(files, EXPECTED);
  });

  it('place-order.graphql shows the idempotencyKey in its variables', () => {
    const text = readFileSync(resolve(EXAMPLES_DIR, 'place-order.graphql'), 'utf8');
    assert.match(text, /"idempotencyKey": "[^"]{1,100}"/);
  });

  for (const file of EXPECTED) {
    it(`${file}: one operation, valid against the API, within the gateway's default limits`, () => {
      const document = parse(readFileSync(resolve(EXAMPLES_DIR, file), 'utf8'), guards.parseOptions);
      assert.equal(document.definitions.length, 1, 'one operation per file, so curl needs no operationName');
      const errors = validate(composition.apiSchema, document, [...specifiedRules, ...guards.validationRules]);
      assert.deepEqual(errors.map((error) => error.message), []);
    });
  }
});
