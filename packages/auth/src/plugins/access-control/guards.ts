import type { MiddlewareHandler } from "hono";
import { signInRequired, type SignedInEnv } from "../../authenticator.js";
import { ProblemError, type Problem } from "../../http/problem.js";
import type { AccessClaims } from "../../tokens/access-token.js";
import type { RoleSet } from "./roles.js";

/** The type of the 403 a signed-in user without the permission (or role) gets. */
export const FORBIDDEN_TYPE = "/problems/forbidden";

const forbidden = (detail: string): Problem => ({
  status: 403,
  type: FORBIDDEN_TYPE,
  title: "Forbidden",
  detail,
});

/** The signed-in user of a request behind `auth.middleware`, or 401 thrown. */
function claimsOf(c: Parameters<MiddlewareHandler>[0]): AccessClaims {
  const auth = c.get("auth") as AccessClaims | null | undefined;
  if (!auth) throw new ProblemError(signInRequired(c));
  return auth;
}

/**
 * Middleware: 401 unless signed in, 403 problem+json unless the role in the access token holds
 * every one of `permissions`. Reads the token's claims only: no database query. Put it after
 * `auth.middleware`; a role change reaches every device on its next request (the change
 * stales their tokens, and the silent reissue mints the new role).
 */
export function permissionGuard<Permission extends string>(
  roles: RoleSet<string, Permission>,
  permissions: readonly Permission[],
): MiddlewareHandler<SignedInEnv> {
  const needed = [...permissions];
  return async (c, next) => {
    const { role } = claimsOf(c);
    const missing = needed.find((permission) => !roles.can(role, permission));
    if (missing !== undefined) {
      throw new ProblemError(forbidden(`Your role does not have the ${missing} permission.`));
    }
    await next();
  };
}

/** Middleware: 401 unless signed in, 403 unless the token's role is one of `allowed`. */
export function roleGuard<Role extends string>(
  allowed: readonly Role[],
): MiddlewareHandler<SignedInEnv> {
  const accepted = new Set<string>(allowed);
  return async (c, next) => {
    const { role } = claimsOf(c);
    if (!accepted.has(role)) {
      throw new ProblemError(forbidden(`This needs one of the roles: ${allowed.join(", ")}.`));
    }
    await next();
  };
}

/** The 403 of an administrator acting beyond their own role. */
export function outranked(detail: string): ProblemError {
  return new ProblemError(forbidden(detail));
}
