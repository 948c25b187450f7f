import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import type { CoreTables } from "../../schema/core-tables.js";
import type { TableNamer } from "../../schema/table-names.js";

export const SECURITY_EVENT_TYPES = [
  "signed_up",
  "signed_in",
  "sign_in_failed",
  "sign_in_throttled",
  "signed_out",
  "session_revoked",
  "signed_out_everywhere",
  "signed_out_others",
  "password_changed",
  "token_reuse_detected",
  "email_verified",
  "password_reset_requested",
  "password_reset",
  "email_change_requested",
  "email_changed",
  "profile_updated",
  "password_check_failed",
  "role_changed",
  "account_disabled",
  "account_enabled",
  "signed_out_by_admin",
  "session_revoked_by_admin",
  "second_factor_requested",
  "second_factor_enabled",
  "second_factor_disabled",
  "recovery_codes_regenerated",
  "recovery_code_used",
  "passkey_added",
  "passkey_removed",
  "second_factor_failed",
  "reauthenticated",
  "reauthentication_failed",
  "identity_linked",
  "identity_unlinked",
  "api_key_created",
  "api_key_revoked",
] as const;
export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

/** What happened to an account, for its owner's activity list and for audits. */
export function securityEventsTable(name: TableNamer, core: Pick<CoreTables, "users">) {
  return pgTable(
    name("security_events"),
    {
      id: bigserial("id", { mode: "number" }).primaryKey(),
      userId: uuid("user_id").references(() => core.users.id, { onDelete: "cascade" }),
      sessionId: uuid("session_id"),
      /** The administrator who did it (admin actions only); null once their account is gone. */
      actorId: uuid("actor_id").references(() => core.users.id, { onDelete: "set null" }),
      type: text("type", { enum: SECURITY_EVENT_TYPES }).notNull(),
      /** Short facts about the event for its owner: `{ method: "totp" }`, `{ name: "YubiKey" }`. */
      detail: jsonb("detail").$type<Record<string, string>>(),
      ip: text("ip"),
      userAgent: text("user_agent"),
      createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull(),
    },
    (table) => [
      index(name("security_events_user_id_created_at_idx")).on(table.userId, table.createdAt),
      index(name("security_events_created_at_idx")).on(table.createdAt),
    ],
  );
}

export type SecurityEventsTable = ReturnType<typeof securityEventsTable>;
