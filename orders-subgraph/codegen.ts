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
        // Money arguments arrive unchecked (see money.ts) and leave as decimal strings.
        scalars: { DateTime: 'Date', Money: { input: 'import("../money.js").MoneyInput', output: 'string' }, ID: 'string' },
        mappers: {
          Dish: '../entities/index.js#Dish as DishModel',
          Order: '../entities/index.js#Order as OrderModel',
          OrderConnection: '../orders/order-pages.js#OrderPage as OrderPageModel',
          OrderItem: '../entities/index.js#OrderItem as OrderItemModel',
          OrderStatusChange: '../entities/index.js#OrderStatusChange as OrderStatusChangeModel',
          User: '../resolvers/user.js#UserReference',
        },
      },
    },
  },
};

export default config;
