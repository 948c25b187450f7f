import type { AuthMigration } from "../../migrations/migration.js";

export const OIDC_MIGRATIONS: readonly AuthMigration[] = [
  {
    id: "0001_oidc",
    statements: (t) => [
      `create table ${t("oidc_identities")} (
        "id" uuid primary key default gen_random_uuid() not null,
        "user_id" uuid not null references ${t("users")} ("id") on delete cascade,
        "provider" text not null,
        "issuer" text not null,
        "subject" text not null,
        "email" text,
        "created_at" timestamp with time zone not null,
        "last_used_at" timestamp with time zone,
        "access_token" text,
        "refresh_token" text,
        "token_expires_at" timestamp with time zone
      )`,
      `create unique index ${t("oidc_identities_issuer_subject_unique")}
        on ${t("oidc_identities")} ("issuer", "subject")`,
      `create unique index ${t("oidc_identities_user_id_provider_unique")}
        on ${t("oidc_identities")} ("user_id", "provider")`,
      `create table ${t("oidc_flows")} (
        "id" uuid primary key default gen_random_uuid() not null,
        "state_hash" text not null,
        "provider" text not null,
        "intent" text not null,
        "user_id" uuid references ${t("users")} ("id") on delete cascade,
        "session_id" uuid references ${t("sessions")} ("id") on delete cascade,
        "return_to" text,
        "created_at" timestamp with time zone not null,
        "expires_at" timestamp with time zone not null,
        constraint ${t("oidc_flows_intent_check")}
          check ("intent" in ('sign-in', 'link', 'reauthenticate'))
      )`,
      `create index ${t("oidc_flows_expires_at_idx")} on ${t("oidc_flows")} ("expires_at")`,
      `create table ${t("oidc_pending_links")} (
        "id" uuid primary key default gen_random_uuid() not null,
        "token_hash" text not null,
        "user_id" uuid not null references ${t("users")} ("id") on delete cascade,
        "provider" text not null,
        "issuer" text not null,
        "subject" text not null,
        "email" text not null,
        "created_at" timestamp with time zone not null,
        "expires_at" timestamp with time zone not null
      )`,
      `create unique index ${t("oidc_pending_links_token_hash_unique")}
        on ${t("oidc_pending_links")} ("token_hash")`,
      `create index ${t("oidc_pending_links_expires_at_idx")}
        on ${t("oidc_pending_links")} ("expires_at")`,
    ],
  },
];
