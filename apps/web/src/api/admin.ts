import type { AdminUserView } from "@hybrid-auth/auth";
import { apiFetch, ApiError, send } from "./client";

/**
 * The administration routes under `/api/admin` (issue 14). They are not part of the typed
 * client's `AppType`, so the bodies are typed by hand from the HTTP contract. Requests go
 * through {@link apiFetch} and {@link send}: a 401 is an ended session (the app's redirect
 * to sign-in), anything else non-2xx throws an `ApiError` with the problem's `type`
 * (`error.isType("forbidden")`, `error.isType("last-admin")`) and `detail`.
 *
 * Only the lazily loaded admin pages import this module.
 */

export { fetchPermissions, type Permission, type ViewerPermissions } from "./permissions";

/** A user as the admin console shows them: the server's own type (a type only: no code). */
export type AdminUser = AdminUserView;

/** One live session of a user, most recent first. */
export type AdminSession = {
  id: string;
  /** A readable description of the browser ("Firefox 131 on Linux"). */
  device: string;
  ip: string | null;
  createdAt: string;
  lastSeenAt: string;
};

/** One entry of a user's own activity; `actor` is set when an administrator did it. */
export type AdminEvent = {
  id: string;
  type: string;
  createdAt: string;
  ip: string | null;
  device: string;
  actor: { id: string | null; email: string | null } | null;
};

export type AuditAction =
  | "role_changed"
  | "user_disabled"
  | "user_enabled"
  | "sessions_revoked"
  | "session_revoked"
  | "user_deleted";

/** One entry of the administrators' audit log. */
export type AuditEvent = {
  id: string;
  action: AuditAction;
  actor: { id: string | null; email: string | null; label: string };
  target: { id: string; email: string };
  detail: Record<string, unknown>;
  createdAt: string;
  ip: string | null;
};

export type UserPage = { users: AdminUser[]; nextCursor: string | null };
export type UserDetails = { user: AdminUser; sessions: AdminSession[]; events: AdminEvent[] };
export type AuditPage = { events: AuditEvent[]; nextCursor: string | null };
export type UserChanges = { role?: string; disabled?: boolean };

/** `/api/admin/…` with each path segment escaped and the defined query parameters appended. */
function adminUrl(segments: string[], query: Record<string, string | number | undefined> = {}) {
  const path = ["/api/admin", ...segments.map(encodeURIComponent)].join("/");
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

function jsonInit(method: string, body: unknown): RequestInit {
  return { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
}

export const admin = {
  /** Newest accounts first; `query` matches email or name; pass `nextCursor` for the next page. */
  async listUsers(
    options: { query?: string; cursor?: string | null; limit?: number } = {},
  ): Promise<UserPage> {
    const url = adminUrl(["users"], {
      query: options.query?.trim() || undefined,
      cursor: options.cursor ?? undefined,
      limit: options.limit,
    });
    const response = await send(apiFetch(url));
    return (await response.json()) as UserPage;
  },

  /** The user, their live sessions and their recent activity (404 when there is no such user). */
  async getUser(id: string): Promise<UserDetails> {
    const response = await send(apiFetch(adminUrl(["users", id])));
    return (await response.json()) as UserDetails;
  },

  /** Changes the role and/or disables or enables the account (409 `last-admin`, 403 `forbidden`). */
  async updateUser(id: string, changes: UserChanges): Promise<AdminUser> {
    const response = await send(apiFetch(adminUrl(["users", id]), jsonInit("PATCH", changes)));
    return ((await response.json()) as { user: AdminUser }).user;
  },

  /** Signs the user out on every device; resolves to how many sessions ended. */
  async revokeSessions(id: string): Promise<number> {
    const response = await send(
      apiFetch(adminUrl(["users", id, "sessions", "revoke"]), { method: "POST" }),
    );
    return ((await response.json()) as { revoked: number }).revoked;
  },

  /** Ends one live session of the user (404 when it is not theirs, or already gone). */
  async revokeSession(id: string, sessionId: string): Promise<void> {
    await send(apiFetch(adminUrl(["users", id, "sessions", sessionId]), { method: "DELETE" }));
  },

  /** Deletes the account and everything in it (409 `last-admin`, 403 `forbidden`). */
  async deleteUser(id: string): Promise<void> {
    await send(apiFetch(adminUrl(["users", id]), { method: "DELETE" }));
  },

  /** The administrators' audit log, newest first. */
  async audit(options: { cursor?: string | null; limit?: number } = {}): Promise<AuditPage> {
    const url = adminUrl(["audit"], { cursor: options.cursor ?? undefined, limit: options.limit });
    const response = await send(apiFetch(url));
    return (await response.json()) as AuditPage;
  },
};

/**
 * What an admin page says when the server refused: a 409 `last-admin` and other problems in
 * the server's own words, a 403 as a missing permission, a 404 as a vanished user.
 */
export function adminErrorMessage(error: unknown, fallback = "Something went wrong."): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : fallback;
  if (error.status === 403) {
    const detail = error.message && error.message !== "Forbidden" ? ` ${error.message}` : "";
    return `You don't have permission to do that.${detail}`;
  }
  if (error.status === 404 && error.message === "Not Found") return "This user no longer exists.";
  return error.message || fallback;
}
