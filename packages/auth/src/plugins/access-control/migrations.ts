import type { AuthMigration } from "../../migrations/migration.js";

export const ACCESS_CONTROL_MIGRATIONS: readonly AuthMigration[] = [
  {
    id: "0001_admin_audit",
    statements: (t) => [
      `create table ${t("admin_audit")} (
        "id" bigserial primary key not null,
        "action" text not null,
        "actor_id" uuid references ${t("users")} ("id") on delete set null,
        "actor" text not null,
        "target_id" uuid not null,
        "target_email" text not null,
        "detail" jsonb default '{}'::jsonb not null,
        "ip" text,
        "user_agent" text,
        "created_at" timestamp with time zone not null
      )`,
      `create index ${t("admin_audit_created_at_idx")}
        on ${t("admin_audit")} ("created_at", "id")`,
      `create index ${t("admin_audit_target_id_idx")} on ${t("admin_audit")} ("target_id")`,
      // The admin console searches users by email or name, newest first.
      `create index if not exists ${t("users_created_at_id_idx")}
        on ${t("users")} ("created_at", "id")`,
    ],
  },
];
