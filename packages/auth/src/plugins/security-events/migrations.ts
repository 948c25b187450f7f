import type { AuthMigration } from "../../migrations/migration.js";

/** Idempotent, so it adopts the table of this project's earlier drizzle-kit migrations. */
export const SECURITY_EVENTS_MIGRATIONS: readonly AuthMigration[] = [
  {
    id: "0001_security_events",
    statements: (t) => [
      `create table if not exists ${t("security_events")} (
        "id" bigserial primary key not null,
        "user_id" uuid references ${t("users")} ("id") on delete cascade,
        "session_id" uuid,
        "type" text not null,
        "ip" text,
        "user_agent" text,
        "created_at" timestamp with time zone not null
      )`,
      `create index if not exists ${t("security_events_user_id_created_at_idx")}
        on ${t("security_events")} ("user_id", "created_at")`,
    ],
  },
  {
    // The retention job deletes by age: a range on this index, never a scan of the table.
    id: "0002_security_events_created_at_idx",
    statements: (t) => [
      `create index if not exists ${t("security_events_created_at_idx")}
        on ${t("security_events")} ("created_at")`,
    ],
  },
  {
    id: "0003_security_events_actor",
    statements: (t) => [
      `alter table ${t("security_events")} add column if not exists "actor_id" uuid
        references ${t("users")} ("id") on delete set null`,
    ],
  },
  {
    // Which second factor, which passkey: what the owner needs to recognise the event.
    id: "0004_security_events_detail",
    statements: (t) => [`alter table ${t("security_events")} add column "detail" jsonb`],
  },
];
