/**
 * `@dishpatch/shared/http`: one HTTP edge per service — GraphQL through Apollo plus plain
 * routes — and the `/health`, `/ready`, `/metrics` routes every service serves.
 */
export { HttpService, type GraphQLHttpRequest, type GraphQLStreamHandler, type HttpServiceOptions, type RouteHandler, type RouteResponse } from './http-server.js';
export { DependencyNotReady, healthRoutes, type ReadinessCheck } from './health.js';
export { GATEWAY_SECRET_HEADER, GatewaySecret, generateSharedSecret, weaknessOfSecret } from './gateway-secret.js';
