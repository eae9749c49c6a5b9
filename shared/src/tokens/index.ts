/**
 * `@dishpatch/shared/tokens`: the verifying side of access tokens, which every service needs —
 * the token format's constants, `TokenVerifier`, and the read side of session revocation.
 * Signing and publishing revocations belong to the issuer alone and live in
 * auth-subgraph/src/tokens/, so services that only verify never load them.
 */
export {
  ROLES,
  TOKEN_ALGORITHM,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  TokenVerifier,
  type Authentication,
  type Role,
  type TokenRevocationQuery,
  type TokenVerifierOptions,
  type Viewer,
} from './token-verifier.js';
export {
  SessionRevocationList,
  revocationsPublishedKey,
  revokedSessionKey,
  sessionRevocationChannel,
  sessionRevocationMessage,
  userTokensCutoffKey,
  userTokensCutoffMessage,
  type SessionRevocationListOptions,
} from './session-revocation-list.js';
