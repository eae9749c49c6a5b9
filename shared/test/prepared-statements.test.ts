import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeadlineClient, parseTimestamptz, preparedStatement } from '../src/database.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js';

const MARKED = preparedStatement('SELECT $1::int + 1 AS next');
const AT = `SELECT CAST('2026-12-06 15:53:28.123456+00' AS timestamptz) AS at, CAST('12.50' AS numeric) AS price, 7 AS quantity`;
const AT_AS_TEXT = preparedStatement(`${AT} -- as text`, { timestampsAsText: true });

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

  it('hands timestamps over as text to a statement prepared so, which parseTimestamptz reads into the usual Date', async () => {
    const asDate = ((await client.query(AT)) as { rows: Array<{ at: Date; price: string; quantity: number }> }).rows[0]!;
    const asText = ((await client.query(AT_AS_TEXT)) as { rows: Array<{ at: string; price: string; quantity: number }> }).rows[0]!;
    assert.ok(asDate.at instanceof Date);
    assert.equal(typeof asText.at, 'string');
    assert.deepEqual(parseTimestamptz(asText.at), asDate.at);
    assert.deepEqual({ price: asText.price, quantity: asText.quantity }, { price: '12.50', quantity: 7 });
    // The statement after it, on the same connection, reads Dates again.
    assert.ok((((await client.query(AT)) as { rows: Array<{ at: unknown }> }).rows[0]!.at) instanceof Date);
  });

  it('leaves texts that are not marked unprepared', async () => {
    const { rows } = (await client.query('SELECT $1::int * 2 AS double', [21])) as { rows: Array<{ double: number }> };
    assert.equal(rows[0]?.double, 42);
    assert.deepEqual((await preparedTexts()).sort(), [AT_AS_TEXT, MARKED].sort());
  });
});
