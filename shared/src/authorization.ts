import { ForbiddenError, ServiceUnavailableError, UnauthenticatedError } from './errors.js';
import type { Authentication, Role, Viewer } from './tokens/token-verifier.js';

/** What every resolver context carries about the caller. */
export interface AuthenticatedContext {
  auth: Authentication;
}

/**
 * First line of every resolver that looks at the caller without requiring one (`me`, who may
 * see an email, a dish off the menu): null for a request without a token, the viewer for a
 * good one, and UNAUTHENTICATED for a token that is expired, revoked, forged or malformed —
 * never anonymous, or a client's refresh-on-UNAUTHENTICATED would not fire and its app would
 * look signed out. A revocation check that could not be made is SERVICE_UNAVAILABLE.
 */
export function optionalViewer(context: AuthenticatedContext): Viewer | null {
  const { auth } = context;
  if (auth.viewer) return auth.viewer;
  if (auth.unavailableService) throw new ServiceUnavailableError(auth.unavailableService);
  if (auth.problem !== null) throw new UnauthenticatedError(auth.problem);
  return null;
}

/** First line of every resolver that needs a signed-in caller. */
export function requireViewer(context: AuthenticatedContext): Viewer {
  const viewer = optionalViewer(context);
  if (viewer) return viewer;
  throw new UnauthenticatedError('You must be signed in');
}

/** First line of every resolver reserved to some roles; deny by default. */
export function requireRole(context: AuthenticatedContext, ...roles: Role[]): Viewer {
  const viewer = requireViewer(context);
  if (!roles.includes(viewer.role)) throw new ForbiddenError(`Only ${roles.join(' or ')} may do this`);
  return viewer;
}

/** Staff are the roles that work the kitchen and the floor. */
export const STAFF_ROLES: Role[] = ['CHEF', 'MANAGER'];

export function isStaff(viewer: Viewer | null): boolean {
  return viewer !== null && STAFF_ROLES.includes(viewer.role);
}
