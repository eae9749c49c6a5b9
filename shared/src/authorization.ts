import { ForbiddenError, UnauthenticatedError } from './errors.js';
import type { Authentication, Role, Viewer } from './tokens/token-verifier.js';

/** What every resolver context carries about the caller. */
export interface AuthenticatedContext {
  auth: Authentication;
}

/** First line of every resolver that needs a signed-in caller. */
export function requireViewer(context: AuthenticatedContext): Viewer {
  if (context.auth.viewer) return context.auth.viewer;
  throw new UnauthenticatedError(context.auth.problem ?? 'You must be signed in');
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
