import type { AuthMigration } from "../../migrations/migration.js";

export const TWO_FACTOR_MIGRATIONS: readonly AuthMigration[] = [
  {
    id: "0001_two_factor",
    statements: (t) => [
      `create table ${t("two_factor_totp")} (
        "user_id" uuid primary key not null references ${t("users")} ("id") on delete cascade,
        "secret" text not null,
        "created_at" timestamp with time zone not null,
        "enabled_at" timestamp with time zone,
        "last_used_step" bigint default -1 not null
      )`,
      `create index ${t("two_factor_totp_unconfirmed_idx")}
        on ${t("two_factor_totp")} ("created_at") where "enabled_at" is null`,
      `create table ${t("two_factor_recovery_codes")} (
        "id" uuid primary key default gen_random_uuid() not null,
        "user_id" uuid not null references ${t("users")} ("id") on delete cascade,
        "code_hash" text not null,
        "created_at" timestamp with time zone not null,
        "used_at" timestamp with time zone
      )`,
      `create unique index ${t("two_factor_recovery_codes_user_code_unique")}
        on ${t("two_factor_recovery_codes")} ("user_id", "code_hash")`,
    ],
  },
];
