/**
 * Generative hostile input (issue 10, item 9): random strings, numbers, ids, cursors and Money
 * values sent to every input of the contract, as variables and as inline literals, through the
 * real gateway with the real auth, orders and worker processes behind it, as anonymous, a
 * customer, a chef and a manager. No answer may be INTERNAL_SERVER_ERROR or an HTTP 5xx, and
 * every error must carry a code the contract names.
 *
 * Replay a failure with the seed it prints: FUZZ_SEED=<seed> (and FUZZ_RUNS=<n> for more runs).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import pg from 'pg';
import { createSystem, type TestSystem } from './support/system.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261130);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 3000);

/** The contract's codes (its header) and the three standard ones it names; nothing else may reach a client. */
const CONTRACT_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'INSUFFICIENT_STOCK',
  'DISH_UNAVAILABLE',
  'INVALID_TRANSITION',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
]);

// ------------------------------------------------------------------------------- values

type Kind = 'string' | 'number' | 'id' | 'cursor' | 'money' | 'enum' | 'boolean' | 'list' | 'object';

/** A generated leaf value and what kind of value it stands for (for the summary line). */
class Tagged {
  constructor(
    readonly kind: Kind,
    readonly value: unknown,
  ) {}
}

/** An optional argument or field left out. */
const OMIT = Symbol('omit');

const tagged = (kind: Kind, arbitrary: fc.Arbitrary<unknown>) => arbitrary.map((value) => new Tagged(kind, value));

const HOSTILE_FRAGMENTS = [
  '\u0000',
  'a\u0000b',
  '\u0001\u0007\u001b\u001f\u007f\u0085',
  '\u202e',
  '\u2066\u2069\u200f',
  '\u200b\u200c\u200d',
  '\ufeff',
  '\ud800',
  '\udfff',
  '\u2028\u2029',
  '👩‍🍳',
  '🇮🇹',
  'e\u0301',
  'ＡＢＣ',
  "' OR '1'='1'; --",
  "'); DROP TABLE users; --",
  '$1::text',
  '\\',
  '"',
  '%s%n',
  '{"a":[1,{"b":null}]}',
  '[]',
  'null',
  'NaN',
  'Infinity',
  '-0',
  '   ',
  '\t\n\r',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  '',
];

const strings: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...HOSTILE_FRAGMENTS), fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 12 })), {
        maxLength: 6,
      })
      .map((parts) => parts.join('')),
  },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', '\u0000', 'é', '😀', '\u200b'), fc.integer({ min: 50, max: 12_000 })).map(([unit, count]) => unit.repeat(count)) },
  { weight: 1, arbitrary: fc.json() },
);

/** Where an Int is expected: negative, zero, 2^31 and beyond, fractions, NaN-like strings. */
const ints: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.integer({ min: -3, max: 120 }),
  fc.constantFrom(0, -1, 1, 50, 51, 100, 101, 999_999_999, 1_000_000_000, 1_000_000_001, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32, 2 ** 53, 1e21, 1e300),
  fc.double(),
  fc.constantFrom('NaN', 'Infinity', '1', '1e3', '0x10', '', true, null, [1], { n: 1 }),
);

const uuids = fc.uuid();

function ids(real: readonly string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...real) },
    { weight: 2, arbitrary: uuids },
    { weight: 1, arbitrary: fc.constantFrom(...real).map((id) => id.toUpperCase()) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '00000000-0000-0000-0000-000000000000',
        'ffffffff-ffff-ffff-ffff-ffffffffffff',
        'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
        'not-a-uuid',
        '',
        '1',
        '-1',
      ),
    },
    { weight: 1, arbitrary: uuids.map((id) => id.replaceAll('-', '')) },
    { weight: 1, arbitrary: uuids.map((id) => `{${id}}`) },
    { weight: 1, arbitrary: fc.tuple(uuids, fc.constantFrom('\u0000', ' ', 'x', '\n', '\u200b')).map(([id, tail]) => id + tail) },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 2, arbitrary: strings },
  );
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** PostgreSQL's timestamptz text, with fields that may be impossible (hour 99, year 0000, day 31 of February). */
const timestampTexts: fc.Arbitrary<string> = fc
  .record({
    year: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 1, 2026, 9999)),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.oneof(fc.integer({ min: 0, max: 23 }), fc.constantFrom(24, 99)),
    minute: fc.integer({ min: 0, max: 99 }),
    second: fc.integer({ min: 0, max: 99 }),
    fraction: fc.option(fc.stringMatching(/^\d{1,7}$/), { nil: undefined }),
    sign: fc.constantFrom('+', '-'),
    offsetHours: fc.oneof(fc.constantFrom(0, 1, 15), fc.integer({ min: 0, max: 99 })),
    offsetMinutes: fc.option(fc.integer({ min: 0, max: 99 }), { nil: undefined }),
  })
  .map(
    (t) =>
      `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)} ${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}` +
      `${t.fraction === undefined ? '' : `.${t.fraction}`}${t.sign}${pad(t.offsetHours, 2)}${t.offsetMinutes === undefined ? '' : `:${pad(t.offsetMinutes, 2)}`}`,
  );

const base64Of = (text: string, url: boolean) => Buffer.from(text, 'utf8').toString(url ? 'base64url' : 'base64');

function cursors(realIds: readonly string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.tuple(fc.json(), fc.boolean()).map(([json, url]) => base64Of(json, url)) },
    { weight: 3, arbitrary: fc.tuple(timestampTexts, fc.oneof(uuids, fc.constantFrom(...realIds)), fc.boolean()).map(([at, id, url]) => base64Of(JSON.stringify([at, id]), url)) },
    { weight: 1, arbitrary: fc.tuple(fc.oneof(uuids, fc.constantFrom(...realIds)), fc.boolean()).map(([id, url]) => base64Of(JSON.stringify([id]), url)) },
    { weight: 1, arbitrary: fc.tuple(fc.array(fc.oneof(strings, fc.integer(), fc.constant(null)), { maxLength: 3 }), fc.boolean()).map(([position, url]) => base64Of(JSON.stringify(position), url)) },
    { weight: 1, arbitrary: fc.tuple(strings, fc.boolean()).map(([text, url]) => base64Of(text, url)) },
    { weight: 1, arbitrary: strings },
    { weight: 1, arbitrary: ints },
  );
}

const moneys: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '0',
      '0.00',
      '-1.00',
      '0.001',
      '0.01',
      '1.005',
      '12.5',
      '12.50',
      '99999999.99',
      '100000000',
      '100000000.00',
      '1e3',
      '1E-2',
      ' 1.00',
      '1.00 ',
      '1,00',
      '+1.00',
      '.5',
      '5.',
      '00012.30',
      '-0',
      '-0.00',
      '0x10',
      '１２.５０',
      '١٢٫٥',
      '1\u0000',
      '9'.repeat(400),
      `1.${'0'.repeat(400)}`,
      '',
    ),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.integer({ min: 0, max: 4 }))
      .map(([units, digits]) => {
        const text = (units < 0n ? -units : units).toString().padStart(digits + 1, '0');
        return `${units < 0n ? '-' : ''}${digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`}`;
      }),
  },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: strings },
);

const enums = (values: readonly string[]) =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: fc.constantFrom(...values.map((value) => value.toLowerCase()), 'ADMIN', 'null', '') }, { weight: 1, arbitrary: strings });

const booleans = fc.oneof({ weight: 3, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constantFrom('true', 1, 0, null) });

/** A value for an argument or input field: usually its own kind, sometimes null, left out, or of another kind. */
function slot(kind: Kind, arbitrary: fc.Arbitrary<unknown>, options: { optional?: boolean } = {}): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 12, arbitrary: tagged(kind, arbitrary) },
    { weight: options.optional ? 3 : 0, arbitrary: fc.constant(OMIT) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.oneof(tagged('string', strings), tagged('number', ints)) },
  );
}

/** An input object: its fields, sometimes with a field the schema does not have, sometimes not an object at all. */
function inputObject(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 12, arbitrary: tagged('object', fc.record(fields)) },
    { weight: 1, arbitrary: tagged('object', fc.tuple(fc.record(fields), fc.string()).map(([value, extra]) => ({ ...value, [`x${extra.replace(/\W/g, '')}`]: 1 }))) },
    { weight: 1, arbitrary: fc.oneof(tagged('string', strings), fc.constant(null)) },
  );
}

// --------------------------------------------------------------------------- operations

type Persona = 'anonymous' | 'customer' | 'chef' | 'manager';

interface Argument {
  name: string;
  type: string;
  value: fc.Arbitrary<unknown>;
}

interface Operation {
  name: string;
  type: 'query' | 'mutation';
  args: Argument[];
  /** The selection, given the argument list as written, e.g. `(id: $id)`. */
  field: (args: string) => string;
}

const USER_FIELDS = '{ id username email role createdAt }';
const DISH_FIELDS = '{ id name description price quantity isAvailable createdAt updatedAt }';
const ORDER_FIELDS = '{ id status total specialRequests customer { id } items { quantity price subtotal dish { id } } statusHistory { status at } createdAt }';
const ORDER_PAGE = `{ totalCount edges { cursor node ${ORDER_FIELDS} } pageInfo { hasNextPage endCursor } }`;
const AUTH_PAYLOAD = '{ accessToken accessTokenExpiresAt refreshToken user { id role } }';

interface Pools {
  userIds: string[];
  /** Users whose role the fuzz may change: not the personas, so that they keep theirs. */
  changeableUserIds: string[];
  dishIds: string[];
  orderIds: string[];
}

function operations(pools: Pools): Operation[] {
  const userId = ids(pools.userIds);
  const changeableUserId = ids(pools.changeableUserIds);
  const dishId = ids(pools.dishIds);
  const orderId = ids(pools.orderIds);
  const cursor = cursors([...pools.userIds, ...pools.orderIds]);
  const orderStatus = enums(['WAITING', 'IN_PROGRESS', 'DONE', 'CANCELLED']);
  const role = enums(['CUSTOMER', 'CHEF', 'MANAGER']);
  const page = (name: string, statusOrRole: fc.Arbitrary<unknown>, statusType: string): Argument[] => [
    { name: name, type: statusType, value: slot('enum', statusOrRole, { optional: true }) },
    { name: 'first', type: 'Int', value: slot('number', ints, { optional: true }) },
    { name: 'after', type: 'String', value: slot('cursor', cursor, { optional: true }) },
  ];
  const credentials = (withUsername: boolean) =>
    inputObject({
      ...(withUsername ? { username: slot('string', fc.oneof(strings, fc.stringMatching(/^[A-Za-z0-9_.-]{3,50}$/))) } : {}),
      email: slot('string', fc.oneof(strings, fc.emailAddress(), fc.tuple(fc.emailAddress(), fc.constantFrom(...HOSTILE_FRAGMENTS)).map(([email, bad]) => bad + email))),
      password: slot('string', strings),
    });
  const dishInput = (optional: boolean) =>
    inputObject({
      name: slot('string', strings, { optional }),
      description: slot('string', strings, { optional: true }),
      price: slot('money', moneys, { optional }),
      quantity: slot('number', ints, { optional }),
      isAvailable: slot('boolean', booleans, { optional: true }),
    });
  const orderItem = inputObject({ dishId: slot('id', dishId), quantity: slot('number', ints) });
  return [
    { name: 'register', type: 'mutation', args: [{ name: 'input', type: 'RegisterInput!', value: credentials(true) }], field: (a) => `register${a} ${AUTH_PAYLOAD}` },
    { name: 'login', type: 'mutation', args: [{ name: 'input', type: 'LoginInput!', value: credentials(false) }], field: (a) => `login${a} ${AUTH_PAYLOAD}` },
    {
      name: 'refreshSession',
      type: 'mutation',
      args: [{ name: 'refreshToken', type: 'String!', value: slot('string', fc.oneof(strings, fc.stringMatching(/^[A-Za-z0-9_-]{43}$/))) }],
      field: (a) => `refreshSession${a} ${AUTH_PAYLOAD}`,
    },
    { name: 'logout', type: 'mutation', args: [], field: () => 'logout' },
    { name: 'promoteToManager', type: 'mutation', args: [{ name: 'userId', type: 'ID!', value: slot('id', changeableUserId) }], field: (a) => `promoteToManager${a} ${USER_FIELDS}` },
    {
      name: 'setUserRole',
      type: 'mutation',
      args: [
        { name: 'userId', type: 'ID!', value: slot('id', changeableUserId) },
        { name: 'role', type: 'Role!', value: slot('enum', role) },
      ],
      field: (a) => `setUserRole${a} ${USER_FIELDS}`,
    },
    { name: 'user', type: 'query', args: [{ name: 'id', type: 'ID!', value: slot('id', userId) }], field: (a) => `user${a} ${USER_FIELDS}` },
    { name: 'users', type: 'query', args: page('role', role, 'Role'), field: (a) => `users${a} { totalCount edges { cursor node ${USER_FIELDS} } pageInfo { hasNextPage endCursor } }` },
    { name: 'menu', type: 'query', args: [], field: () => `menu ${DISH_FIELDS}` },
    { name: 'dishes', type: 'query', args: [{ name: 'includeUnavailable', type: 'Boolean', value: slot('boolean', booleans, { optional: true }) }], field: (a) => `dishes${a} ${DISH_FIELDS}` },
    { name: 'dish', type: 'query', args: [{ name: 'id', type: 'ID!', value: slot('id', dishId) }], field: (a) => `dish${a} ${DISH_FIELDS}` },
    { name: 'createDish', type: 'mutation', args: [{ name: 'input', type: 'CreateDishInput!', value: dishInput(false) }], field: (a) => `createDish${a} ${DISH_FIELDS}` },
    {
      name: 'updateDish',
      type: 'mutation',
      args: [
        { name: 'id', type: 'ID!', value: slot('id', dishId) },
        { name: 'input', type: 'UpdateDishInput!', value: dishInput(true) },
      ],
      field: (a) => `updateDish${a} ${DISH_FIELDS}`,
    },
    { name: 'deleteDish', type: 'mutation', args: [{ name: 'id', type: 'ID!', value: slot('id', dishId) }], field: (a) => `deleteDish${a}` },
    { name: 'order', type: 'query', args: [{ name: 'id', type: 'ID!', value: slot('id', orderId) }], field: (a) => `order${a} ${ORDER_FIELDS}` },
    { name: 'myOrders', type: 'query', args: page('status', orderStatus, 'OrderStatus'), field: (a) => `myOrders${a} ${ORDER_PAGE}` },
    { name: 'orders', type: 'query', args: page('status', orderStatus, 'OrderStatus'), field: (a) => `orders${a} ${ORDER_PAGE}` },
    { name: 'User.orders', type: 'query', args: page('status', orderStatus, 'OrderStatus'), field: (a) => `me { id orders${a} ${ORDER_PAGE} }` },
    {
      name: 'placeOrder',
      type: 'mutation',
      args: [
        {
          name: 'input',
          type: 'PlaceOrderInput!',
          value: inputObject({
            items: slot('list', fc.oneof(fc.array(orderItem, { minLength: 0, maxLength: 4 }), fc.array(orderItem, { minLength: 49, maxLength: 52 }))),
            specialRequests: slot('string', strings, { optional: true }),
            idempotencyKey: slot('string', fc.oneof(strings, uuids), { optional: true }),
          }),
        },
      ],
      field: (a) => `placeOrder${a} ${ORDER_FIELDS}`,
    },
    { name: 'cancelOrder', type: 'mutation', args: [{ name: 'id', type: 'ID!', value: slot('id', orderId) }], field: (a) => `cancelOrder${a} ${ORDER_FIELDS}` },
    { name: 'advanceOrder', type: 'mutation', args: [{ name: 'id', type: 'ID!', value: slot('id', orderId) }], field: (a) => `advanceOrder${a} ${ORDER_FIELDS}` },
  ];
}

// ------------------------------------------------------------------ documents and counts

interface Counts {
  byOperation: Map<string, number>;
  byKind: Map<string, number>;
  byPersona: Map<string, number>;
  byPlacement: Map<string, number>;
  byCode: Map<string, number>;
}

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

/** The plain value of a generated one, counting each leaf by kind. */
function unwrap(value: unknown, kinds: Map<string, number>): unknown {
  if (value instanceof Tagged) {
    bump(kinds, value.kind);
    return unwrap(value.value, kinds);
  }
  if (Array.isArray(value)) return value.map((item) => unwrap(item, kinds));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== OMIT).map(([key, field]) => [key, unwrap(field, kinds)]));
  }
  return value;
}

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** A value written as a GraphQL literal: strings as JSON strings (GraphQL's escapes are JSON's), names as enum values. */
function literal(value: unknown, enumLike: boolean): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return enumLike && NAME.test(value) && !['true', 'false', 'null'].includes(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map((item) => literal(item, enumLike)).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([key, field]) => `${NAME.test(key) ? key : 'bad_key'}: ${literal(field, enumLike)}`)
    .join(', ')}}`;
}

/**
 * How the operation travels: its arguments as variables or inline literals; with automatic
 * persisted queries, by a hash alone, a hash that does not match the query, or the right hash.
 */
type Placement = 'variables' | 'inline' | 'apq-hash-only' | 'apq-wrong-hash' | 'apq-right-hash';

interface Request {
  /** The operation's name (not the operation, so that a counterexample prints short). */
  operation: string;
  persona: Persona;
  placement: Placement;
  args: unknown[];
}

function requests(all: Operation[]): fc.Arbitrary<Request> {
  return fc.oneof(
    ...all.map((operation) =>
      fc.record({
        operation: fc.constant(operation.name),
        persona: fc.constantFrom<Persona>('anonymous', 'customer', 'chef', 'manager'),
        placement: fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom<Placement>('variables', 'inline') },
          { weight: 1, arbitrary: fc.constantFrom<Placement>('apq-hash-only', 'apq-wrong-hash', 'apq-right-hash') },
        ),
        args: fc.tuple(...operation.args.map((arg) => arg.value)),
      }),
    ),
  );
}

function documentOf(operation: Operation, request: Request, kinds: Map<string, number>): { query: string; variables: Record<string, unknown> } {
  const variables: Record<string, unknown> = {};
  const declarations: string[] = [];
  const written: string[] = [];
  operation.args.forEach((arg, index) => {
    const raw = request.args[index];
    if (raw === OMIT) return;
    const value = unwrap(raw, kinds);
    if (request.placement === 'inline') {
      const enumLike = arg.type.startsWith('Role') || arg.type.startsWith('OrderStatus');
      written.push(`${arg.name}: ${literal(value, enumLike)}`);
    } else {
      declarations.push(`$${arg.name}: ${arg.type}`);
      written.push(`${arg.name}: $${arg.name}`);
      variables[arg.name] = value;
    }
  });
  const header = declarations.length > 0 ? `(${declarations.join(', ')})` : '';
  const args = written.length > 0 ? `(${written.join(', ')})` : '';
  return { query: `${operation.type} Fuzz${header} { ${operation.field(args)} }`, variables };
}

// ------------------------------------------------------------------------------ the test

describe('hostile input, generated, to every input of the contract through the real gateway', () => {
  let system: TestSystem;
  let graphqlUrl = '';

  before(async () => {
    system = await createSystem('fuzz', {
      // Every request comes from 127.0.0.1: limits this low would answer RATE_LIMITED before
      // any input is looked at. RATE_LIMITED itself is a contract code and allowed.
      REGISTRATION_MAX_PER_ADDRESS: '1000000',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '100000',
      LOGIN_MAX_FAILURES_PER_EMAIL_AND_ADDRESS: '1000',
      ORDER_TICK_MS: '500',
      ORDER_STAGE_SECONDS: '2',
    });
    await system.start();
    graphqlUrl = system.graphqlUrl;
  });

  after(async () => {
    await system?.stop();
  });

  async function post(body: unknown, token?: string): Promise<{ status: number; text: string }> {
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  }

  function bodyOf(placement: Placement, query: string, variables: Record<string, unknown>): unknown {
    const sha256 = createHash('sha256').update(query).digest('hex');
    const persisted = (hash: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    switch (placement) {
      case 'inline':
        return { query };
      case 'variables':
        return { query, variables };
      case 'apq-hash-only':
        return { variables, ...persisted(sha256) };
      case 'apq-wrong-hash':
        return { query, variables, ...persisted(createHash('sha256').update(`${query} `).digest('hex')) };
      case 'apq-right-hash':
        return { query, variables, ...persisted(sha256) };
    }
  }

  async function ok<TData>(query: string, variables: Record<string, unknown>, token?: string): Promise<TData> {
    const { status, text } = await post({ query, variables }, token);
    const body = JSON.parse(text) as { data?: TData; errors?: unknown[] };
    assert.ok(status === 200 && !body.errors && body.data, `${status} ${text}`);
    return body.data;
  }

  it(`answers ${RUNS} generated operations with contract codes only: no INTERNAL_SERVER_ERROR, no 5xx`, async () => {
    const password = 'fuzz password 1';
    const accounts = { customer: 'customer', chef: 'chef', manager: 'manager', bystander: 'bystander' } as const;
    const userIds: Record<string, string> = {};
    for (const name of Object.keys(accounts)) {
      const data = await ok<{ register: { user: { id: string } } }>('mutation($input: RegisterInput!) { register(input: $input) { user { id } } }', {
        input: { username: `fuzz_${name}`, email: `${name}@fuzz.example.com`, password },
      });
      userIds[name] = data.register.user.id;
    }
    // The first manager is made as create-manager makes one: straight in the auth database.
    const client = new pg.Client({ connectionString: system.authDb.url });
    await client.connect();
    try {
      await client.query(`UPDATE users SET role = 'MANAGER' WHERE id = $1`, [userIds['manager']]);
      await client.query(`UPDATE users SET role = 'CHEF' WHERE id = $1`, [userIds['chef']]);
    } finally {
      await client.end();
    }
    const login = async (name: string) =>
      (
        await ok<{ login: { accessToken: string } }>('mutation($input: LoginInput!) { login(input: $input) { accessToken } }', {
          input: { email: `${name}@fuzz.example.com`, password },
        })
      ).login.accessToken;
    const tokens: Record<Persona, string | undefined> = { anonymous: undefined, customer: await login('customer'), chef: await login('chef'), manager: await login('manager') };

    const dishIds: string[] = [];
    for (const [name, quantity] of [
      ['Margherita', 50],
      ['Tiramisù', 999_999_990],
      ['Sold out', 0],
    ] as const) {
      const data = await ok<{ createDish: { id: string } }>('mutation($input: CreateDishInput!) { createDish(input: $input) { id } }', { input: { name, price: '9.50', quantity } }, tokens.manager);
      dishIds.push(data.createDish.id);
    }
    const orderIds: string[] = [];
    for (const quantity of [1, 2, 3]) {
      const data = await ok<{ placeOrder: { id: string } }>(
        'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
        { input: { items: [{ dishId: dishIds[quantity % 2]!, quantity }] } },
        tokens.customer,
      );
      orderIds.push(data.placeOrder.id);
    }

    const all = operations({ userIds: Object.values(userIds), changeableUserIds: [userIds['bystander']!], dishIds, orderIds });
    const counts: Counts = { byOperation: new Map(), byKind: new Map(), byPersona: new Map(), byPlacement: new Map(), byCode: new Map() };
    const byName = new Map(all.map((operation) => [operation.name, operation]));
    let sent = 0;
    /** fast-check reports a failure's counterexample, not the answer: the first failing answer is kept here. */
    let firstFailure = '';
    const started = Date.now();
    console.log(`fuzz: seed ${SEED}, ${RUNS} runs (replay with FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS})`);

    await fc.assert(
      fc.asyncProperty(requests(all), async (request) => {
        const operation = byName.get(request.operation)!;
        const { query, variables } = documentOf(operation, request, counts.byKind);
        let token = tokens[request.persona];
        // logout ends the session it is sent with: give it one of its own, so the persona keeps theirs.
        if (request.operation === 'logout' && request.persona !== 'anonymous') token = await login(request.persona);
        sent += 1;
        bump(counts.byOperation, request.operation);
        bump(counts.byPersona, request.persona);
        bump(counts.byPlacement, request.placement);
        const { status, text } = await post(bodyOf(request.placement, query, variables), token);
        const replay = `${request.persona} ${status}: ${query.slice(0, 2000)}\nvariables: ${JSON.stringify(variables).slice(0, 2000)}\nanswer: ${text.slice(0, 2000)}`;
        const fail = (why: string) => {
          firstFailure ||= `${why} (seed ${SEED}, operation ${sent})\n${replay}`;
          assert.fail(firstFailure);
        };
        if (status >= 500) fail(`HTTP ${status}`);
        let body: { errors?: Array<{ extensions?: { code?: unknown } }> } = {};
        try {
          body = JSON.parse(text) as typeof body;
        } catch {
          fail('not JSON');
        }
        for (const error of body.errors ?? []) {
          const code = String(error.extensions?.code);
          bump(counts.byCode, code);
          // The gateway's body limit (GATEWAY_MAX_BODY_BYTES) answers before GraphQL: a 413 the
          // contract's header does not list yet (reported on issue 10), but a refusal, not a fault.
          const bodyLimit = code === 'PAYLOAD_TOO_LARGE' && status === 413;
          if (!CONTRACT_CODES.has(code) && !bodyLimit) fail(`code ${code}`);
        }
        if (!body.errors) bump(counts.byCode, 'none');
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    ).catch((error: unknown) => {
      throw new Error(firstFailure || String(error), { cause: error });
    });

    const line = (map: Map<string, number>) => [...map.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, count]) => `${key}=${count}`).join(' ');
    console.log(
      `fuzz: sent ${sent} operations in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED}); by operation: ${line(counts.byOperation)}; ` +
        `by kind of value: ${line(counts.byKind)}; by persona: ${line(counts.byPersona)}; ${line(counts.byPlacement)}; answers by code: ${line(counts.byCode)}`,
    );
  });
});
