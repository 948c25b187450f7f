import type { AuthMigration } from "../../migrations/migration.js";

export const PASSKEYS_MIGRATIONS: readonly AuthMigration[] = [
  {
    id: "0001_passkeys",
    statements: (t) => [
      `create table ${t("passkeys")} (
        "id" uuid primary key default gen_random_uuid() not null,
        "user_id" uuid not null references ${t("users")} ("id") on delete cascade,
        "credential_id" text not null,
        "public_key" bytea not null,
        "counter" bigint default 0 not null,
        "transports" text[] default '{}'::text[] not null,
        "device_type" text not null,
        "backed_up" boolean not null,
        "name" text not null,
        "aaguid" text not null,
        "created_at" timestamp with time zone not null,
        "last_used_at" timestamp with time zone,
        constraint ${t("passkeys_device_type_check")}
          check ("device_type" in ('singleDevice', 'multiDevice')),
        constraint ${t("passkeys_counter_check")} check ("counter" >= 0)
      )`,
      `create unique index ${t("passkeys_credential_id_unique")}
        on ${t("passkeys")} ("credential_id")`,
      `create index ${t("passkeys_user_id_idx")} on ${t("passkeys")} ("user_id")`,
      `create table ${t("webauthn_challenges")} (
        "id" uuid primary key default gen_random_uuid() not null,
        "challenge_hash" text not null,
        "browser_hash" text not null,
        "purpose" text not null,
        "user_id" uuid references ${t("users")} ("id") on delete cascade,
        "session_id" uuid references ${t("sessions")} ("id") on delete cascade,
        "created_at" timestamp with time zone not null,
        "expires_at" timestamp with time zone not null,
        constraint ${t("webauthn_challenges_purpose_check")}
          check ("purpose" in ('register', 'sign-in', 'second-factor', 'reauthenticate'))
      )`,
      `create unique index ${t("webauthn_challenges_challenge_hash_unique")}
        on ${t("webauthn_challenges")} ("challenge_hash")`,
      `create index ${t("webauthn_challenges_expires_at_idx")}
        on ${t("webauthn_challenges")} ("expires_at")`,
    ],
  },
];
