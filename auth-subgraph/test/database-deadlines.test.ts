import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadAuthConfig } from '../src/config.js';
import { AuthHarness } from './harness.js';

describe("auth's database deadlines come from its configuration", () => {
  const auth = new AuthHarness();
  before(() =>
    auth.start({
      label: 'auth_deadlines',
      env: { DATABASE_CONNECT_TIMEOUT_MS: '1500', DATABASE_STATEMENT_TIMEOUT_MS: '4321', DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '1234' },
    }),
  );
  after(() => auth.stop());

  it('passes DATABASE_*_TIMEOUT_MS to every connection of its data source', async () => {
    const [statement] = (await auth.app.dataSource.query('SHOW statement_timeout')) as Array<{ statement_timeout: string }>;
    const [idle] = (await auth.app.dataSource.query('SHOW idle_in_transaction_session_timeout')) as Array<{ idle_in_transaction_session_timeout: string }>;
    assert.equal(statement?.statement_timeout, '4321ms');
    assert.equal(idle?.idle_in_transaction_session_timeout, '1234ms');
  });

  it('refuses deadlines that do not fit in the gateway subgraph timeout, naming the variable', () => {
    assert.throws(
      () => loadAuthConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '9000', GATEWAY_SUBGRAPH_TIMEOUT_MS: '10000' }),
      /DATABASE_STATEMENT_TIMEOUT_MS=9000.*GATEWAY_SUBGRAPH_TIMEOUT_MS=10000/s,
    );
    assert.throws(() => loadAuthConfig({ DATABASE_CONNECT_TIMEOUT_MS: 'soon' }), /DATABASE_CONNECT_TIMEOUT_MS/);
  });
});
