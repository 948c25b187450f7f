import { apiFetch, send } from "./client";

/**
 * What the signed-in viewer may do: `GET /api/auth/permissions` (issue 14). Kept apart from the
 * admin module so that the header can ask without pulling the admin code into the first load.
 * The route is not in the typed client's `AppType` yet, hence the hand-written type.
 */

/** The permissions the SPA knows; a host may define more, so any string is accepted. */
export type Permission = "users:read" | "users:write" | "sessions:revoke" | (string & {});

export type ViewerPermissions = {
  role: string;
  permissions: Permission[];
  /** The roles this viewer may grant, in the server's declaration order. */
  assignableRoles: string[];
};

/** The viewer's role and permissions (401 when signed out, handled like any ended session). */
export async function fetchPermissions(): Promise<ViewerPermissions> {
  const response = await send(apiFetch("/api/auth/permissions"));
  const body = (await response.json()) as Partial<ViewerPermissions>;
  return {
    role: typeof body.role === "string" ? body.role : "user",
    permissions: Array.isArray(body.permissions) ? body.permissions : [],
    assignableRoles: Array.isArray(body.assignableRoles) ? body.assignableRoles : [],
  };
}
