import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { MoneyInput, formatCents, toCents } from '@dishpatch/orders-core/money';

/**
 * The Money scalar: decimal strings out, the client's value unchecked in (`MoneyInput`); each
 * Money argument is checked by the core's `readMoney` with its field name and range.
 */

/** Marks what a literal was when it was not a string, so `readMoney` can refuse it with the field name. */
function literalValue(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    default:
      return { literal: node.kind };
  }
}

export const MoneyScalar = new GraphQLScalarType<MoneyInput, string>({
  name: 'Money',
  description: 'Exact decimal amount with two fraction digits, serialized as a string, e.g. "12.50". Never a float.',
  serialize(value) {
    if (typeof value === 'bigint') return formatCents(value);
    if (typeof value === 'string') return formatCents(toCents(value));
    // A float here would be a bug: amounts travel as decimal strings or cents only.
    throw new TypeError(`Money cannot serialize ${typeof value}`);
  },
  parseValue: (value) => new MoneyInput(value),
  parseLiteral: (node) => new MoneyInput(literalValue(node)),
});
