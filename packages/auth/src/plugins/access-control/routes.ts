import { Hono, type Context, type MiddlewareHandler } from "hono";
import { z } from "zod";
import type { AuthEnv, AuthState } from "../../authenticator.js";
import { jsonBody } from "../../http/json-body.js";
import { ProblemError, SIGN_IN_REQUIRED } from "../../http/problem.js";
import { isForeignKeyViolation } from "../../db.js";
import { invalidQuery, queryParams } from "../../http/query-params.js";
import { isUuid } from "../../ids.js";
import { findUserById } from "../../users/user-store.js";
import type { AdminActor } from "../hooks.js";
import type { PluginContext } from "../plugin.js";
import { listAudit } from "./audit.js";
import type { AdminAuditTable } from "./audit-table.js";
import { decodeCursor, encodeCursor, type Cursor } from "./cursor.js";
import { findUserView, listUsers, liveSessionViews } from "./directory.js";
import { permissionGuard, outranked } from "./guards.js";
import { adminRouteDocs as docs, auditQuery, usersQuery } from "./openapi.js";
import { undeclaredRole } from "./rails.js";
import type { AdminPermission, RoleSet } from "./roles.js";

const DEFAULT_PAGE = 25;

const updateBody = z
  .strictObject({
    role: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,31}$/, "is not a role name")
      .optional(),
    disabled: z.boolean().optional(),
  })
  .refine((body) => body.role !== undefined || body.disabled !== undefined, {
    message: "give a role, disabled, or both",
  });

/**
 * Runs an administrator's change; if their own account was deleted meanwhile (the audit row
 * and the target's event reference it), the change is rolled back and they are signed out.
 */
async function whileActorExists<T>(change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (error) {
    if (isForeignKeyViolation(error)) throw new ProblemError(SIGN_IN_REQUIRED);
    throw error;
  }
}

const noSuchUser = () => new ProblemError({ status: 404, detail: "No such user." });

/** The page a `cursor` parameter names, or 400 when it is not one of ours. */
function pageAfter(cursor: string | undefined, idKind: "uuid" | "serial"): Cursor | undefined {
  if (cursor === undefined) return undefined;
  const position = decodeCursor(cursor, idKind);
  if (!position)
    throw invalidQuery([{ pointer: "/cursor", detail: "is not a cursor of this list" }]);
  return position;
}

export type AdminRouteDeps = {
  context: PluginContext;
  roles: RoleSet<string, AdminPermission | string>;
  audit: AdminAuditTable;
  /** A user's newest security events, when the security-events plugin records them. */
  activityOf: ((db: PluginContext["db"], userId: string) => Promise<unknown[]>) | undefined;
};

/**
 * The admin console's API (mount it with `app.route("/api/admin", auth.mount("admin"))`):
 * every route behind a permission of the token's role; every change goes through
 * `auth.admin` (or the session revocations) with the administrator as the actor, so the rails
 * and the audit apply.
 */
export function adminRoutes(deps: AdminRouteDeps) {
  const { context, roles, audit } = deps;
  const { db, tables, clock, sessionLifetimes } = context;
  const may = (permission: AdminPermission) => permissionGuard(roles, [permission]);
  /** Every change an administrator makes needs a recent proof that it is them (issue 15). */
  const stepUp = context.requireRecentAuth as unknown as MiddlewareHandler<AuthEnv>;

  /** The administrator of this request, as the rails and the audit see them. */
  const actorOf = async (c: Context, auth: AuthState): Promise<AdminActor> => {
    const me = await findUserById(db, tables, auth.userId);
    return {
      userId: auth.userId,
      description: me?.email ?? auth.userId,
      client: context.clientInfo(c),
      role: auth.role,
    };
  };

  /** The target of a sign-out: 404 if missing, 403 if their role outranks the administrator's. */
  const revocableTarget = async (auth: AuthState, userId: string) => {
    const target = isUuid(userId) ? await findUserById(db, tables, userId) : undefined;
    if (!target) throw noSuchUser();
    if (!roles.covers(auth.role, target.role)) {
      throw outranked(`This user's role (${target.role}) has permissions yours does not.`);
    }
    return target;
  };

  const userView = async (userId: string) => {
    const view = isUuid(userId)
      ? await findUserView(db, tables, userId, clock.now(), sessionLifetimes)
      : undefined;
    if (!view) throw noSuchUser();
    return view;
  };

  return new Hono<AuthEnv>()
    .get("/users", docs.listUsers, may("users:read"), queryParams(usersQuery), async (c) => {
      const { query, cursor, limit = DEFAULT_PAGE } = c.req.valid("query");
      const page = { query: query?.trim(), after: pageAfter(cursor, "uuid"), limit };
      const { users, last } = await listUsers(db, tables, page, clock.now(), sessionLifetimes);
      return c.json({ users, nextCursor: last ? encodeCursor(last) : null });
    })
    .get("/users/:id", docs.getUser, may("users:read"), async (c) => {
      const user = await userView(c.req.param("id"));
      const [sessions, events] = await Promise.all([
        liveSessionViews(db, tables, user.id, clock.now(), sessionLifetimes),
        deps.activityOf ? deps.activityOf(db, user.id) : Promise.resolve([]),
      ]);
      return c.json({ user, sessions, events });
    })
    .patch(
      "/users/:id",
      docs.updateUser,
      may("users:write"),
      stepUp,
      jsonBody(updateBody),
      async (c) => {
        const auth = c.get("auth");
        const userId = c.req.param("id");
        if (!isUuid(userId)) throw noSuchUser();
        const { role, disabled } = c.req.valid("json");
        // Before anything is written: an arbitrary string may be text the database refuses.
        if (role !== undefined && !roles.isRole(role)) throw undeclaredRole(roles);
        const changes = {
          ...(role === undefined ? {} : { role }),
          ...(disabled === undefined ? {} : { disabled }),
        };
        const actor = await actorOf(c, auth);
        const found = await whileActorExists(() =>
          context.admin.updateUser(userId, changes, actor),
        );
        if (!found) throw noSuchUser();
        return c.json({ user: await userView(userId) });
      },
    )
    .post(
      "/users/:id/sessions/revoke",
      docs.revokeAll,
      may("sessions:revoke"),
      stepUp,
      async (c) => {
        const auth = c.get("auth");
        const target = await revocableTarget(auth, c.req.param("id"));
        const admin = await actorOf(c, auth);
        const revoked = await whileActorExists(() =>
          context.revokeEverywhere(target.id, {
            reason: "admin_signed_out",
            actorSessionId: auth.sessionId,
            client: admin.client,
            admin,
          }),
        );
        return c.json({ revoked });
      },
    )
    .delete(
      "/users/:id/sessions/:sessionId",
      docs.revokeOne,
      may("sessions:revoke"),
      stepUp,
      async (c) => {
        const auth = c.get("auth");
        const target = await revocableTarget(auth, c.req.param("id"));
        const admin = await actorOf(c, auth);
        const revoked = await whileActorExists(() =>
          context.revokeSession(target.id, c.req.param("sessionId"), {
            reason: "admin_revoked_session",
            actorSessionId: auth.sessionId,
            client: admin.client,
            admin,
          }),
        );
        if (!revoked)
          throw new ProblemError({ status: 404, detail: "No such live session of this user." });
        return c.body(null, 204);
      },
    )
    .delete("/users/:id", docs.deleteUser, may("users:write"), stepUp, async (c) => {
      const auth = c.get("auth");
      const userId = c.req.param("id");
      if (!isUuid(userId)) throw noSuchUser();
      const actor = await actorOf(c, auth);
      const deleted = await whileActorExists(() => context.admin.deleteUser(userId, actor));
      if (!deleted) throw noSuchUser();
      return c.body(null, 204);
    })
    .get("/audit", docs.audit, may("users:read"), queryParams(auditQuery), async (c) => {
      const { cursor, limit = DEFAULT_PAGE } = c.req.valid("query");
      const page = await listAudit(db, audit, { after: pageAfter(cursor, "serial"), limit });
      const events = page.rows.map((row) => ({
        id: String(row.id),
        action: row.action,
        actor: {
          id: row.actorId,
          email: row.actorId === null ? null : row.actor,
          label: row.actor,
        },
        target: { id: row.targetId, email: row.targetEmail },
        detail: row.detail,
        ip: row.ip,
        createdAt: row.createdAt.toISOString(),
      }));
      const nextCursor = page.next ? encodeCursor(page.next) : null;
      return c.json({ events, nextCursor });
    });
}
