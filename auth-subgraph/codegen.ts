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
        scalars: { DateTime: 'Date', Money: 'string', ID: 'string' },
        contextType: '../context.js#AuthContext',
        mappers: { User: '../services/user-service.js#UserView' },
      },
    },
  },
};

export default config;
