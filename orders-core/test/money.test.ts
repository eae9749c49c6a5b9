import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadUserInputError } from '@dishpatch/shared/errors';
import { MoneyInput, PRICE_RANGE, formatCents, multiplyMoney, readMoney, sumMoney } from '@dishpatch/orders-core/money';
import { ACCEPTED, REFUSED } from '@dishpatch/orders-core/testing';

describe('Money arithmetic and parsing (unit)', () => {
  it('multiplies and sums exactly, never through a float', () => {
    assert.equal(multiplyMoney('12.10', 3), '36.30');
    assert.equal(multiplyMoney('0.10', 3), '0.30');
    assert.equal(sumMoney(Array.from({ length: 10 }, () => '0.10')), '1.00');
    assert.equal(multiplyMoney('99999999.99', 100), '9999999999.00');
    assert.equal(formatCents(-5n), '-0.05');
  });

  it('reads valid amounts normalized to two fraction digits', () => {
    for (const [given, stored] of ACCEPTED) assert.equal(readMoney(new MoneyInput(given), 'input.price', PRICE_RANGE), stored, given);
  });

  it('refuses every malformed or out-of-range amount, naming the field', () => {
    for (const [given, problem] of REFUSED) {
      assert.throws(
        () => readMoney(new MoneyInput(given), 'input.price', PRICE_RANGE),
        (error: unknown) => error instanceof BadUserInputError && error.message.startsWith('input.price: ') && problem.test(error.message),
        JSON.stringify(given),
      );
    }
  });
});
