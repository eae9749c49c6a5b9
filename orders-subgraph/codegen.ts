import type { CodegenConfig } from '@graphql-codegen/cli';

/** Resolver types generated from the SDL: `npm run codegen` (the output is committed). */
const config: CodegenConfig = {
  schema: 'src/schema.graphql',
  generates: {
    'src/generated/graphql.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        federation: true,
        useTypeImports: true,
        enumsAsTypes: true,
        useIndexSignature: true,
        contextType: '../context.js#OrdersContext',
        // Money arguments arrive unchecked (see money-scalar.ts) and leave as decimal strings.
        scalars: { DateTime: 'Date', Money: { input: 'import("@dishpatch/orders-core/money").MoneyInput', output: 'string' }, ID: 'string' },
        mappers: {
          Dish: '@dishpatch/orders-core/entities#Dish as DishModel',
          Order: '@dishpatch/orders-core/entities#Order as OrderModel',
          OrderConnection: '@dishpatch/orders-core/orders#OrderPage as OrderPageModel',
          OrderItem: '@dishpatch/orders-core/entities#OrderItem as OrderItemModel',
          OrderStatusChange: '@dishpatch/orders-core/entities#OrderStatusChange as OrderStatusChangeModel',
          User: '../resolvers/user.js#UserReference',
        },
      },
    },
  },
};

export default config;
