import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { DeadlineClient, parseTimestamptz } from '../src/database.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js';

/** pg's own parser (postgres-date), which parseTimestamptz must agree with on every text. */
const pgParser = pg.types.getTypeParser(1184, 'text') as (text: string) => Date | number | null;

const asComparable = (value: Date | number | null) => (value instanceof Date ? `Date ${value.getTime()}` : String(value));

describe('timestamptz values', () => {
  it('read as pg reads them, whatever the precision, offset or era', () => {
    const texts = [
      '2026-12-06 15:53:28.123456+00',
      '2026-12-06 15:53:28+00',
      '2026-12-06 15:53:28.1+00',
      '2026-12-06 15:53:28.57+00',
      '2026-12-06 15:53:28.999999+00',
      '2026-12-06 21:23:28.5+05:30',
      '2026-12-06 12:23:28.000001-03:30',
      '1850-01-01 00:19:32+00:19:32',
      '1850-01-01 00:00:00-00:17:30',
      '2024-02-29 23:59:59.9995-12',
      '0099-01-01 00:00:00+00',
      '0500-06-15 12:00:00+00',
      '0044-03-15 12:00:00+00 BC',
      '12026-01-01 00:00:00+00',
      'infinity',
      '-infinity',
    ];
    for (const text of texts) assert.equal(asComparable(parseTimestamptz(text)), asComparable(pgParser(text)), text);
  });

  describe('read from PostgreSQL', () => {
    let database: TestDatabase;
    let client: DeadlineClient;

    before(async () => {
      database = await createTestDatabase('timestamptz');
      client = new DeadlineClient({ connectionString: database.url, dishpatchQueryTimeoutMs: 6000 });
      await client.connect();
    });
    after(async () => {
      await client.end();
      await database.drop();
    });

    it('come as the same Date pg would give, in any session time zone', async () => {
      for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Europe/Amsterdam', 'Pacific/Kiritimati']) {
        await client.query(`SET TIME ZONE '${zone}'`);
        const { rows } = (await client.query(
          `SELECT value, value::text AS text FROM unnest(ARRAY[now(), '2026-12-06 15:53:28.123456Z', '1850-06-01 12:00:00Z', '2000-01-01 00:00:00.5Z', 'infinity', '0010-01-01 00:00Z']::timestamptz[]) AS value`,
        )) as { rows: Array<{ value: Date | number; text: string }> };
        for (const row of rows) assert.equal(asComparable(row.value), asComparable(pgParser(row.text)), `${zone}: ${row.text}`);
      }
    });
  });
});
