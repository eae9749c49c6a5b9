/** The skeleton both subgraphs share: build (graphql-js + HTTP + context), start, shutdown. */
export {
  buildClosable,
  buildSubgraphHttp,
  createContextFactory,
  readSubgraphSchema,
  type ContextFactoryOptions,
  type SubgraphBoundaryConfig,
  type SubgraphContext,
  type SubgraphHttpOptions,
} from './subgraph-app.js';
export {
  runService,
  runSubgraph,
  type ClosableApp,
  type ServiceDefinition,
  type SubgraphApp,
  type SubgraphDefinition,
} from './run-service.js';
export { subgraphGraphQL, type SubgraphGraphQLOptions } from './subgraph-graphql.js';
export { connectTokenVerification, type TokenVerificationOptions } from './token-verification.js';
