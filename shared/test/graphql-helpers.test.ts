import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kind } from 'graphql';
import { env } from '@dishpatch/shared/config';
import { DateTimeScalar } from '@dishpatch/shared/date-time';
import { isUuid, requireUuid } from '@dishpatch/shared/ids';
import { buildConnection, decodeCursor, encodeCursor, validatePageSize } from '@dishpatch/shared/pagination';
import { z } from 'zod';

const badInput = (field: string) => (error: unknown) =>
  (error as { extensions?: { code?: string; field?: string } }).extensions?.code === 'BAD_USER_INPUT' &&
  (error as { extensions: { field?: string } }).extensions.field === field;

describe('DateTime', () => {
  it('reads ISO-8601 in UTC and writes it back', () => {
    assert.equal(DateTimeScalar.parseValue('2026-11-27T12:00:00.000Z').toISOString(), '2026-11-27T12:00:00.000Z');
    assert.equal(DateTimeScalar.parseLiteral({ kind: Kind.STRING, value: '2026-11-27T12:00:00Z' }).toISOString(), '2026-11-27T12:00:00.000Z');
    assert.equal(DateTimeScalar.serialize(new Date('2026-11-27T12:00:00Z')), '2026-11-27T12:00:00.000Z');
  });

  it('refuses offsets, bare dates, impossible dates and non-strings with BAD_USER_INPUT', () => {
    for (const value of ['2026-11-27T12:00:00+01:00', '2026-11-27', 'Nov 27 2026', '2026-02-31T00:00:00Z', 42]) {
      assert.throws(() => DateTimeScalar.parseValue(value), badInput('DateTime'), String(value));
    }
  });
});

describe('ids', () => {
  it('accepts UUIDs only and lower-cases them', () => {
    assert.equal(isUuid('not-an-id'), false);
    assert.equal(requireUuid('0D8F2E4A-1B2C-4D5E-8F90-A1B2C3D4E5F6', 'id'), '0d8f2e4a-1b2c-4d5e-8f90-a1b2c3d4e5f6');
    assert.throws(() => requireUuid('1', 'input.dishId'), badInput('input.dishId'));
  });
});

describe('keyset pagination', () => {
  const id = '0d8f2e4a-1b2c-4d5e-8f90-a1b2c3d4e5f6';

  it('round-trips a position and refuses forged or reshaped cursors', () => {
    assert.deepEqual(decodeCursor(encodeCursor(['a', id]), [() => true, isUuid]), ['a', id]);
    for (const cursor of ['%%%', encodeCursor([id]), encodeCursor(['a', 'b']), Buffer.from('{"x":1}').toString('base64url')]) {
      assert.throws(() => decodeCursor(cursor, [() => true, isUuid]), badInput('after'));
    }
  });

  it('checks first and builds pages from LIMIT first + 1 rows', () => {
    assert.equal(validatePageSize(undefined, 20), 20);
    assert.throws(() => validatePageSize(101), badInput('first'));
    assert.throws(() => validatePageSize(0), badInput('first'));
    const page = buildConnection([1, 2, 3], 2, (n) => `c${n}`);
    assert.deepEqual(page, {
      edges: [
        { cursor: 'c1', node: 1 },
        { cursor: 'c2', node: 2 },
      ],
      pageInfo: { hasNextPage: true, endCursor: 'c2' },
    });
  });
});

describe('env.boolean', () => {
  it('accepts true/false/1/0 and refuses anything else', () => {
    const flag = z.object({ FLAG: env.boolean(false) });
    assert.equal(flag.parse({}).FLAG, false);
    assert.equal(flag.parse({ FLAG: '1' }).FLAG, true);
    assert.equal(flag.parse({ FLAG: 'true' }).FLAG, true);
    assert.equal(flag.safeParse({ FLAG: 'yes' }).success, false);
  });
});
