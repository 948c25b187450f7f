import type { AuthMigration } from "../../migrations/migration.js";

export const ACCOUNT_LIFECYCLE_MIGRATIONS: readonly AuthMigration[] = [
  {
    id: "0001_account_lifecycle",
    statements: (t) => [
      `create table ${t("account_tokens")} (
        "id" uuid primary key default gen_random_uuid() not null,
        "user_id" uuid not null references ${t("users")} ("id") on delete cascade,
        "purpose" text not null,
        "token_hash" text not null,
        "bound_to" text not null,
        "new_email" text,
        "created_at" timestamp with time zone not null,
        "expires_at" timestamp with time zone not null
      )`,
      `create unique index ${t("account_tokens_token_hash_unique")}
        on ${t("account_tokens")} ("token_hash")`,
      `create index ${t("account_tokens_user_id_idx")} on ${t("account_tokens")} ("user_id")`,
      `create index ${t("account_tokens_expires_at_idx")} on ${t("account_tokens")} ("expires_at")`,
      `create table ${t("mail_outbox")} (
        "id" bigserial primary key not null,
        "user_id" uuid references ${t("users")} ("id") on delete cascade,
        "kind" text not null,
        "dedupe_key" text not null,
        "recipient" text not null,
        "sealed" text,
        "attempts" integer default 0 not null,
        "next_attempt_at" timestamp with time zone not null,
        "locked_until" timestamp with time zone,
        "sent_at" timestamp with time zone,
        "failed_at" timestamp with time zone,
        "last_error" text,
        "created_at" timestamp with time zone not null
      )`,
      `create unique index ${t("mail_outbox_dedupe_key_unique")}
        on ${t("mail_outbox")} ("dedupe_key")`,
      `create index ${t("mail_outbox_due_idx")} on ${t("mail_outbox")} ("next_attempt_at")
        where "sent_at" is null and "failed_at" is null`,
      `create index ${t("mail_outbox_created_at_idx")} on ${t("mail_outbox")} ("created_at")`,
      `create index ${t("mail_outbox_user_id_idx")} on ${t("mail_outbox")} ("user_id")`,
      `create table ${t("mail_preferences")} (
        "user_id" uuid primary key not null references ${t("users")} ("id") on delete cascade,
        "new_sign_in_alerts" boolean not null
      )`,
    ],
  },
];
