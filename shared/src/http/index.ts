/**
 * `@dishpatch/shared/http`: one HTTP edge per service — GraphQL through the service's engine
 * plus plain routes — and the `/health`, `/ready`, `/metrics` routes every service serves.
 */
export {
  HttpService,
  type GraphQLAnswerer,
  type GraphQLHttpRequest,
  type GraphQLHttpResponse,
  type GraphQLStreamHandler,
  type HttpServiceOptions,
  type RouteHandler,
  type RouteResponse,
} from './http-server.js';
export { answerWithApollo } from './apollo-graphql.js';
export { DependencyNotReady, healthRoutes, type ReadinessCheck } from './health.js';
export { GATEWAY_SECRET_HEADER, GatewaySecret, generateSharedSecret, weaknessOfSecret } from './gateway-secret.js';
