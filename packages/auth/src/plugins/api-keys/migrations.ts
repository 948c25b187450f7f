import type { AuthMigration } from "../../migrations/migration.js";

export const API_KEYS_MIGRATIONS: readonly AuthMigration[] = [
  {
    id: "0001_api_keys",
    statements: (t) => [
      `create table ${t("api_keys")} (
        "id" uuid primary key default gen_random_uuid() not null,
        "user_id" uuid not null references ${t("users")} ("id") on delete cascade,
        "name" text not null,
        "prefix" text not null,
        "secret_hash" text not null,
        "scopes" text[] not null,
        "created_at" timestamp with time zone not null,
        "last_used_at" timestamp with time zone,
        "expires_at" timestamp with time zone,
        constraint ${t("api_keys_scopes_check")} check (cardinality("scopes") > 0)
      )`,
      `create unique index ${t("api_keys_secret_hash_unique")}
        on ${t("api_keys")} ("secret_hash")`,
      `create index ${t("api_keys_user_id_idx")} on ${t("api_keys")} ("user_id")`,
    ],
  },
];
