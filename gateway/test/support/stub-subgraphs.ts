import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse } from 'graphql';
import { loadConfig, subgraphLimitsConfigShape } from '@dishpatch/shared/config';
import { BadUserInputError, UnauthenticatedError, createErrorFormatter } from '@dishpatch/shared/errors';
import { GatewaySecret, HttpService, healthRoutes } from '@dishpatch/shared/http';
import { ServiceMetrics } from '@dishpatch/shared/observability';
import { requestGuards } from '@dishpatch/shared/request-guards';
import { subgraphGraphQL } from '@dishpatch/shared/subgraph';
import { testLogger } from '@dishpatch/shared/testing';
import { readSupergraphConfig } from '../../src/supergraph-config.js';

/**
 * Stand-ins for the two subgraphs, built from their real SDL files, so the gateway's own
 * behaviour (routing, header forwarding, error handling, guards) can be tested without
 * their databases. The end-to-end test runs the real ones.
 */
export const STUB_USER = { id: '6f1d7c1e-3c55-4d6a-9a55-2a4f1f2c9b01', username: 'ada', email: 'ada@example.com', role: 'CUSTOMER', createdAt: '2026-11-27T12:00:00.000Z' };
export const STUB_DISH = { id: '0b7e3a52-93f4-4c55-8e8f-7b1d2a9c4e11', name: 'Margherita', description: 'Tomato, mozzarella, basil', price: '9.50', quantity: 12, isAvailable: true, createdAt: '2026-11-27T12:00:00.000Z', updatedAt: '2026-11-27T12:00:00.000Z' };
export const STUB_ORDER_ID = '9a0c1f5d-7e2b-4b8a-a1d3-5c6e7f809a12';
export const STUB_TOKEN = 'Bearer aaa.bbb.ccc';
/** An order already DONE: it went WAITING, IN_PROGRESS, DONE at these times (live events replay its moves). */
export const STUB_DONE_ORDER = {
  id: '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b0a',
  history: [
    { status: 'WAITING', at: '2026-11-27T12:00:00.000Z' },
    { status: 'IN_PROGRESS', at: '2026-11-27T12:00:30.000Z' },
    { status: 'DONE', at: '2026-11-27T12:01:00.000Z' },
  ],
} as const;
/** Orders the stub serves beside STUB_ORDER_ID, all WAITING (for events of many orders at once). */
export const STUB_MORE_ORDER_IDS = Array.from({ length: 30 }, (_, index) => `5e1f0000-0000-4000-8000-${String(index).padStart(12, '0')}`);
/** How long `dish(id: "slow")` takes to answer. */
export const SLOW_ANSWER_MS = 1500;
/** The secret the stubs require, as the real subgraphs do; startGateway gives the gateway the same by default. */
export const STUB_SECRET = 'stub-secret-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF';
/** What a database error would look like if it leaked: the gateway must never show it. */
export const LEAKY_MESSAGE = 'relation "secret_orders_table" does not exist';

export interface StubSubgraph {
  name: string;
  url: string;
  /** Headers of every request this subgraph received, oldest first. */
  received: IncomingHttpHeaders[];
  stop(): Promise<void>;
}

function sdlOf(name: string): string {
  const subgraph = readSupergraphConfig().subgraphs.find((candidate) => candidate.name === name);
  if (!subgraph) throw new Error(`supergraph.yaml has no subgraph ${name}`);
  return readFileSync(subgraph.schemaFile, 'utf8');
}

interface StubContext {
  authorization: string | undefined;
}

async function serve(name: string, resolvers: GraphQLResolverMap<StubContext>, secret = STUB_SECRET): Promise<StubSubgraph> {
  const schema = buildSubgraphSchema([{ typeDefs: parse(sdlOf(name)), resolvers }]);
  // The real subgraphs' default limits, so the gateway's tests show its fetches stay under them.
  const limits = loadConfig(subgraphLimitsConfigShape, {});
  const guards = requestGuards({
    maxDepth: limits.SUBGRAPH_MAX_DEPTH,
    maxAliases: limits.SUBGRAPH_MAX_ALIASES,
    maxDirectives: limits.SUBGRAPH_MAX_DIRECTIVES,
    maxTokens: limits.SUBGRAPH_MAX_TOKENS,
    maxCost: limits.SUBGRAPH_MAX_COST,
    allowBatching: false,
  });
  const received: IncomingHttpHeaders[] = [];
  const metrics = new ServiceMetrics(`stub-${name}`);
  const http = new HttpService<StubContext>({
    graphql: subgraphGraphQL<StubContext>({
      schema,
      formatError: createErrorFormatter(),
      validationRules: guards.validationRules,
      parseOptions: guards.parseOptions,
      introspection: true,
    }),
    context: async (req) => {
      received.push({ ...req.headers });
      return { authorization: req.headers.authorization };
    },
    logger: testLogger,
    metrics,
    gatewaySecret: new GatewaySecret(secret),
    routes: healthRoutes({ checks: {}, metrics, logger: testLogger }),
  });
  const port = await http.listen(0, '127.0.0.1');
  return {
    name,
    url: `http://127.0.0.1:${port}/graphql`,
    received,
    stop: () => http.close(),
  };
}

export function startStubAuth(secret?: string): Promise<StubSubgraph> {
  return serve('auth', {
    Query: {
      me: (_: unknown, __: unknown, context: StubContext) =>
        context.authorization === STUB_TOKEN ? STUB_USER : null,
      user: (_: unknown, __: unknown, context: StubContext) => {
        throw new UnauthenticatedError(context.authorization ? 'Access token expired' : 'You must be signed in');
      },
    },
    User: {
      __resolveReference: (reference: { id: string }) => (reference.id === STUB_USER.id ? STUB_USER : null),
    },
  }, secret);
}

/** Lets a test keep `order(id)` from answering until it says so: the promise it returns for an id, if any, is awaited first. */
export type OrderHold = (orderId: string) => Promise<void> | undefined;

export function startStubOrders(hold?: OrderHold): Promise<StubSubgraph> {
  return serve('orders', {
    Query: {
      menu: () => [STUB_DISH],
      dish: async (_: unknown, args: { id: string }) => {
        if (args.id === 'leak') throw new Error(LEAKY_MESSAGE);
        if (args.id === 'slow') await new Promise((resolveDelay) => setTimeout(resolveDelay, SLOW_ANSWER_MS));
        if (args.id === '') throw new BadUserInputError('id', 'must not be empty');
        return args.id === STUB_DISH.id ? STUB_DISH : null;
      },
      order: async (_: unknown, args: { id: string }) => {
        await hold?.(args.id);
        if (args.id === STUB_DONE_ORDER.id) {
          return { id: args.id, userId: STUB_USER.id, status: 'DONE', history: STUB_DONE_ORDER.history, createdAt: STUB_DISH.createdAt, updatedAt: STUB_DONE_ORDER.history[2].at };
        }
        return args.id === STUB_ORDER_ID || STUB_MORE_ORDER_IDS.includes(args.id)
          ? { id: args.id, userId: STUB_USER.id, status: 'WAITING', createdAt: STUB_DISH.createdAt, updatedAt: STUB_DISH.updatedAt }
          : null;
      },
    },
    User: {
      orders: () => ({ edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 }),
    },
    Order: {
      customer: (order: { userId: string }) => ({ __typename: 'User', id: order.userId }),
      items: () => [],
      total: () => '0.00',
      statusHistory: (order: { history?: unknown }) => order.history ?? [{ status: 'WAITING', at: STUB_DISH.createdAt }],
    },
  });
}
