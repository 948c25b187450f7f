import { and, desc, eq, lt, or } from "drizzle-orm";
import type { Db, Tx } from "../../db.js";
import type { Clock } from "../../clock.js";
import type { CoreTables } from "../../schema/core-tables.js";
import type { AdminActor, AuthHookEvents, AuthHooks } from "../hooks.js";
import type { AdminAction, AdminAuditTable } from "./audit-table.js";
import type { Cursor } from "./cursor.js";

type AuditEntry = {
  action: AdminAction;
  actor: AdminActor;
  targetId: string;
  detail: Record<string, unknown>;
};

/**
 * Writes one audit row per administrative action, in the action's own transaction: role
 * changes, disabling and enabling, deletion (`userUpdated`, `userDeleted` with an actor) and
 * sign-outs by an administrator (`sessionsRevoked` with `admin`).
 */
export function auditHooks(
  table: AdminAuditTable,
  core: Pick<CoreTables, "users">,
  clock: Clock,
): AuthHooks {
  const { users } = core;
  const record = async (tx: Db | Tx, entry: AuditEntry) => {
    const [target] = await tx
      .select({ email: users.email })
      .from(users)
      .where(eq(users.id, entry.targetId));
    await tx.insert(table).values({
      action: entry.action,
      actorId: entry.actor.userId,
      actor: entry.actor.description.slice(0, 320),
      targetId: entry.targetId,
      targetEmail: target?.email ?? "(unknown)",
      detail: entry.detail,
      ip: entry.actor.client?.ip ?? null,
      userAgent: entry.actor.client?.userAgent?.slice(0, 512) ?? null,
      createdAt: new Date(clock.now()),
    });
  };
  const updated = (e: AuthHookEvents["userUpdated"]): AuditEntry =>
    "role" in e.change
      ? {
          action: "role_changed",
          actor: e.actor,
          targetId: e.userId,
          detail: { from: e.before.role, to: e.change.role },
        }
      : {
          action: e.change.disabled ? "user_disabled" : "user_enabled",
          actor: e.actor,
          targetId: e.userId,
          detail: {},
        };
  return {
    userUpdated: (e, tx) => record(tx, updated(e)),
    userDeleted: async (e, tx) => {
      if (!e.actor) return; // the owner deleted their own account: not an admin action
      await record(tx, { action: "user_deleted", actor: e.actor, targetId: e.userId, detail: {} });
    },
    sessionsRevoked: async (e, tx) => {
      if (!e.admin) return;
      const action = e.reason === "admin_revoked_session" ? "session_revoked" : "sessions_revoked";
      const detail =
        action === "session_revoked"
          ? { sessionId: e.sessionIds[0] ?? null }
          : { revoked: e.sessionIds.length };
      await record(tx, { action, actor: e.admin, targetId: e.userId, detail });
    },
  };
}

/** The newest audit rows before `after`, newest first. */
export async function listAudit(
  db: Db,
  table: AdminAuditTable,
  page: { after: Cursor | undefined; limit: number },
) {
  const { after } = page;
  const before = after
    ? or(
        lt(table.createdAt, after.createdAt),
        and(eq(table.createdAt, after.createdAt), lt(table.id, Number(after.id))),
      )
    : undefined;
  const rows = await db
    .select()
    .from(table)
    .where(before)
    .orderBy(desc(table.createdAt), desc(table.id))
    .limit(page.limit + 1);
  return {
    rows: rows.slice(0, page.limit),
    next: rows.length > page.limit ? rows[page.limit - 1] : undefined,
  };
}
