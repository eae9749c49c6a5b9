import { randomUUID } from 'node:crypto';
import { GATEWAY_SECRET_HEADER, generateSharedSecret } from '@dishpatch/shared/http';
import type { Role } from '@dishpatch/shared/tokens';
import { StatementCounter, TestIssuer, createTestDatabase, createTestRedis, testLogger, type TestDatabase, type TestRedis } from '@dishpatch/shared/testing';
import { buildOrdersApp, type OrdersApp } from '../../src/app.js';
import { loadOrdersConfig } from '../../src/config.js';
import { runOrdersMigrations } from '@dishpatch/orders-core/data-source';

export interface GraphQLErrorBody {
  message: string;
  path?: Array<string | number>;
  extensions: { code: string; field?: string; dishId?: string };
}

export interface GraphQLResponse<Data = Record<string, unknown>> {
  status: number;
  data?: Data | null;
  errors?: GraphQLErrorBody[];
}

/** A person calling the API: a role and a user id, with a token from the test issuer. */
export interface Caller {
  userId: string;
  sessionId: string;
  role: Role;
  token: string;
}

/**
 * The orders subgraph in-process on port 0, on a fresh database and Redis prefix, with tokens
 * from a test issuer. `stop()` removes everything it made.
 */
export class OrdersHarness {
  app!: OrdersApp;
  issuer!: TestIssuer;
  database!: TestDatabase;
  redis!: TestRedis;
  readonly sql = new StatementCounter();
  /** The gateway's secret, which graphql() sends like the gateway does. */
  readonly secret = generateSharedSecret();
  url = '';

  static async start(label: string, env: Record<string, string> = {}): Promise<OrdersHarness> {
    const harness = new OrdersHarness();
    harness.issuer = await new TestIssuer().start();
    harness.database = await createTestDatabase(label);
    harness.redis = createTestRedis(label);
    const config = loadOrdersConfig({
      ORDERS_DATABASE_URL: harness.database.url,
      REDIS_URL: harness.redis.url,
      REDIS_PREFIX: harness.redis.prefix,
      AUTH_JWKS_URL: harness.issuer.jwksUrl,
      ORDERS_DATABASE_POOL_SIZE: '10',
      SUBGRAPH_SHARED_SECRET: harness.secret,
      ...env,
    });
    harness.app = await buildOrdersApp({ config, logger: testLogger, databaseLogger: harness.sql });
    await runOrdersMigrations(harness.app.dataSource);
    harness.url = `http://127.0.0.1:${await harness.app.http.listen(0, '127.0.0.1')}`;
    return harness;
  }

  async stop(): Promise<void> {
    await this.app?.close();
    await this.issuer?.stop();
    await this.database?.drop();
    await this.redis?.cleanup();
  }

  caller(role: Role, userId: string = randomUUID()): Caller {
    const sessionId = randomUUID();
    return { userId, sessionId, role, token: this.issuer.token(role, { userId, sessionId }) };
  }

  async graphql<Data = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
    caller?: Caller | string,
  ): Promise<GraphQLResponse<Data>> {
    const token = typeof caller === 'string' ? caller : caller?.token;
    const response = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [GATEWAY_SECRET_HEADER]: this.secret, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as Omit<GraphQLResponse<Data>, 'status'>;
    return { status: response.status, ...body };
  }

  async sqlValue<T>(query: string, parameters: unknown[] = []): Promise<T> {
    const rows = (await this.app.dataSource.query(query, parameters)) as Array<{ value: T }>;
    return rows[0]!.value;
  }

  /** A dish made through the API, as a manager would. */
  async createDish(manager: Caller, values: { name?: string; price?: string; quantity?: number; isAvailable?: boolean } = {}): Promise<string> {
    const result = await this.graphql<{ createDish: { id: string } }>(
      `mutation ($input: CreateDishInput!) { createDish(input: $input) { id } }`,
      { input: { name: values.name ?? `Dish ${randomUUID().slice(0, 8)}`, price: values.price ?? '10.00', quantity: values.quantity ?? 10, isAvailable: values.isAvailable ?? true } },
      manager,
    );
    if (!result.data?.createDish) throw new Error(`createDish failed: ${JSON.stringify(result.errors)}`);
    return result.data.createDish.id;
  }

  async stockOf(dishId: string): Promise<number> {
    return this.sqlValue<number>(`SELECT quantity AS value FROM dishes WHERE id = $1`, [dishId]);
  }
}

/** The one error of a response, asserted to exist. */
export function onlyError(response: GraphQLResponse<unknown>): GraphQLErrorBody {
  if (!response.errors || response.errors.length !== 1) throw new Error(`expected one error, got ${JSON.stringify(response)}`);
  return response.errors[0]!;
}

export const PLACE_ORDER = `mutation ($input: PlaceOrderInput!) {
  placeOrder(input: $input) { id status total specialRequests items { quantity price subtotal dish { id name } } statusHistory { status at } customer { id } }
}`;
