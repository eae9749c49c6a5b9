import type { CodegenConfig } from '@graphql-codegen/cli';
import { printSchema } from 'graphql';
import { readSupergraphConfig } from './gateway/src/supergraph-config.js';
import { composeSupergraph, describeCompositionError } from './tooling/src/composition.js';

type Scalars = Record<string, string | { input: string; output: string }>;

/**
 * One subgraph's resolver types from its SDL. Every subgraph gets the same settings; only its
 * context, its scalars beyond the shared ones and its mappers (paths relative to the
 * generated file) differ.
 */
function subgraphResolverTypes(subgraph: string, options: { contextType: string; scalars?: Scalars; mappers: Record<string, string> }) {
  return {
    [`${subgraph}/src/generated/graphql.ts`]: {
      schema: `${subgraph}/src/schema.graphql`,
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        federation: true,
        useTypeImports: true,
        enumsAsTypes: true,
        useIndexSignature: true,
        scalars: { DateTime: 'Date', Money: 'string', ID: 'string', ...options.scalars },
        contextType: options.contextType,
        mappers: options.mappers,
      },
    },
  };
}

/** What clients see: the composed supergraph's API schema, as the gateway serves it. */
function composedApiSchema(): string {
  const composition = composeSupergraph(readSupergraphConfig());
  if (!composition.ok) throw new Error(composition.errors.map(describeCompositionError).join('\n'));
  return printSchema(composition.apiSchema);
}

/**
 * Resolver types generated from each subgraph's SDL, and the web app's typed operations from the
 * composed API: `npm run codegen` (the output is committed).
 */
const config: CodegenConfig = {
  generates: {
    'web/src/gql/': {
      schema: composedApiSchema(),
      documents: ['web/src/**/*.{ts,tsx}', '!web/src/gql/**'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', Money: 'string', ID: 'string' },
      },
    },
    ...subgraphResolverTypes('auth-subgraph', {
      contextType: '../context.js#AuthContext',
      mappers: { User: '../users/user-service.js#UserView' },
    }),
    ...subgraphResolverTypes('orders-subgraph', {
      contextType: '../context.js#OrdersContext',
      // Money arguments arrive unchecked (see money-scalar.ts) and leave as decimal strings.
      scalars: { Money: { input: 'import("@dishpatch/orders-core/money").MoneyInput', output: 'string' } },
      mappers: {
        Dish: '@dishpatch/orders-core/entities#Dish as DishModel',
        Order: '@dishpatch/orders-core/entities#Order as OrderModel',
        OrderConnection: '@dishpatch/orders-core/orders#OrderPage as OrderPageModel',
        OrderItem: '@dishpatch/orders-core/entities#OrderItem as OrderItemModel',
        OrderStatusChange: '@dishpatch/orders-core/entities#OrderStatusChange as OrderStatusChangeModel',
        User: '../resolvers/user.js#UserReference',
      },
    }),
  },
};

export default config;
