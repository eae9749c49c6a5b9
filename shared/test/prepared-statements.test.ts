import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeadlineClient, preparedStatement } from '../src/database.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js';

const MARKED = preparedStatement('SELECT $1::int + 1 AS next');

describe('preparedStatement', () => {
  let database: TestDatabase;
  let client: DeadlineClient;

  before(async () => {
    database = await createTestDatabase('prepared_statements');
    client = new DeadlineClient({ connectionString: database.url, dishpatchQueryTimeoutMs: 6000 });
    await client.connect();
  });
  after(async () => {
    await client.end();
    await database.drop();
  });

  const preparedTexts = async () =>
    ((await client.query('SELECT statement FROM pg_prepared_statements')) as { rows: Array<{ statement: string }> }).rows.map((row) => row.statement);

  it('runs a marked text as one prepared statement per connection, with each call its own values', async () => {
    const answers = [];
    for (const value of [1, 41, 99]) answers.push(((await client.query(MARKED, [value])) as { rows: Array<{ next: number }> }).rows[0]?.next);
    assert.deepEqual(answers, [2, 42, 100]);
    assert.deepEqual(await preparedTexts(), [MARKED]);
  });

  it('leaves texts that are not marked unprepared', async () => {
    const { rows } = (await client.query('SELECT $1::int * 2 AS double', [21])) as { rows: Array<{ double: number }> };
    assert.equal(rows[0]?.double, 42);
    assert.deepEqual(await preparedTexts(), [MARKED]);
  });
});
