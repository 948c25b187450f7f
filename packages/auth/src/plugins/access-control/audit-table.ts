import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import type { CoreTables } from "../../schema/core-tables.js";
import type { TableNamer } from "../../schema/table-names.js";

export const ADMIN_ACTIONS = [
  "role_changed",
  "user_disabled",
  "user_enabled",
  "sessions_revoked",
  "session_revoked",
  "user_deleted",
] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

/**
 * Every administrative action: who (their account, and what they were called then), on whom
 * (an id and the email at the time, kept after the user is deleted), what, from where.
 */
export function adminAuditTable(name: TableNamer, core: Pick<CoreTables, "users">) {
  return pgTable(
    name("admin_audit"),
    {
      id: bigserial("id", { mode: "number" }).primaryKey(),
      action: text("action", { enum: ADMIN_ACTIONS }).notNull(),
      actorId: uuid("actor_id").references(() => core.users.id, { onDelete: "set null" }),
      /** The actor's email when they acted, or what acted ("pnpm auth:set-role"). */
      actor: text("actor").notNull(),
      targetId: uuid("target_id").notNull(),
      targetEmail: text("target_email").notNull(),
      detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
      ip: text("ip"),
      userAgent: text("user_agent"),
      createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull(),
    },
    (table) => [
      index(name("admin_audit_created_at_idx")).on(table.createdAt, table.id),
      index(name("admin_audit_target_id_idx")).on(table.targetId),
    ],
  );
}

export type AdminAuditTable = ReturnType<typeof adminAuditTable>;
