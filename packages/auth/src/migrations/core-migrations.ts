import type { AuthMigration } from "./migration.js";

/**
 * The core's SQL, oldest first. Never edit one that has shipped: add a new one. Tables are
 * named through `t` (the host's prefix, quoted).
 *
 * `0001_core` adopts a database made by this project's earlier drizzle-kit migrations
 * (`drizzle/0000`–`0002`): every statement is idempotent (`if not exists`), and the columns
 * that `0001_session_rotation` added are added here too when they are missing.
 */
export const CORE_MIGRATIONS: readonly AuthMigration[] = [
  {
    id: "0001_core",
    statements: (t) => [
      // Adopt existing tables only from this package's own earlier layout: a `users` table
      // alone, however alike its columns, is the host's.
      `do $$ begin
        if to_regclass('${t("users")}') is not null
          and to_regclass('${t("revocation_events")}') is null then
          raise exception 'table ${t("users")} exists and is not this package''s';
        end if;
      end $$`,
      `create table if not exists ${t("users")} (
        "id" uuid primary key default gen_random_uuid() not null,
        "email" text not null,
        "name" text,
        "password_hash" text not null,
        "role" text default 'user' not null,
        "disabled_at" timestamp with time zone,
        "created_at" timestamp with time zone not null,
        "updated_at" timestamp with time zone not null
      )`,
      `create unique index if not exists ${t("users_email_unique")} on ${t("users")} ("email")`,
      `create table if not exists ${t("sessions")} (
        "id" uuid primary key default gen_random_uuid() not null,
        "user_id" uuid not null references ${t("users")} ("id") on delete cascade,
        "token_hash" text not null,
        "created_at" timestamp with time zone not null,
        "last_seen_at" timestamp with time zone not null,
        "expires_at" timestamp with time zone not null,
        "revoked_at" timestamp with time zone,
        "user_agent" text,
        "ip" text
      )`,
      `alter table ${t("sessions")} add column if not exists "previous_token_hash" text`,
      `alter table ${t("sessions")} add column if not exists "rotated_at" timestamp with time zone`,
      // Sessions from before rotation count their creation as the first rotation.
      `update ${t("sessions")} set "rotated_at" = "created_at" where "rotated_at" is null`,
      `alter table ${t("sessions")} alter column "rotated_at" set not null`,
      `create unique index if not exists ${t("sessions_token_hash_unique")} on ${t("sessions")} ("token_hash")`,
      `create index if not exists ${t("sessions_previous_token_hash_idx")} on ${t("sessions")} ("previous_token_hash")`,
      `create index if not exists ${t("sessions_user_id_idx")} on ${t("sessions")} ("user_id")`,
      `create table if not exists ${t("revocation_events")} (
        "id" bigserial primary key not null,
        "scope" text not null,
        "subject_id" uuid not null,
        "not_before" timestamp with time zone not null,
        constraint ${t("revocation_events_scope_check")} check ("scope" in ('session', 'user'))
      )`,
      `create index if not exists ${t("revocation_events_not_before_idx")} on ${t("revocation_events")} ("not_before")`,
      `create table if not exists ${t("rate_limits")} (
        "key" text primary key not null,
        "points" integer not null,
        "expire" timestamp with time zone
      )`,
    ],
  },
  {
    id: "0002_user_fields",
    statements: (t) => [
      `alter table ${t("users")} add column if not exists "fields" jsonb default '{}'::jsonb not null`,
    ],
  },
  {
    id: "0003_session_token_history",
    statements: (t) => [
      `create table ${t("session_token_history")} (
        "token_hash" text primary key not null,
        "session_id" uuid not null references ${t("sessions")} ("id") on delete cascade,
        "retired_at" timestamp with time zone not null
      )`,
      `create index ${t("session_token_history_session_id_idx")}
        on ${t("session_token_history")} ("session_id")`,
    ],
  },
  {
    // When the owner proved the address (a verification link, a password reset link, an email
    // change confirmation); null until then.
    id: "0004_email_verified_at",
    statements: (t) => [
      `alter table ${t("users")} add column "email_verified_at" timestamp with time zone`,
    ],
  },
  {
    // Step-up and second factors: when and how each session's user last proved who they are,
    // and sign-ins waiting for their second factor.
    id: "0005_authentication_strength",
    statements: (t) => [
      `alter table ${t("sessions")} add column "auth_time" timestamp with time zone`,
      `update ${t("sessions")} set "auth_time" = "created_at"`,
      `alter table ${t("sessions")} alter column "auth_time" set not null`,
      `alter table ${t("sessions")} add column "sign_in_methods" text[] default '{password}' not null`,
      `alter table ${t("sessions")} alter column "sign_in_methods" drop default`,
      `create table ${t("pending_sign_ins")} (
        "id" uuid primary key default gen_random_uuid() not null,
        "user_id" uuid not null references ${t("users")} ("id") on delete cascade,
        "token_hash" text not null,
        "password_hash" text not null,
        "new_device" boolean not null,
        "created_at" timestamp with time zone not null,
        "expires_at" timestamp with time zone not null,
        "consumed_at" timestamp with time zone
      )`,
      `create unique index ${t("pending_sign_ins_token_hash_unique")} on ${t("pending_sign_ins")} ("token_hash")`,
      `create index ${t("pending_sign_ins_expires_at_idx")} on ${t("pending_sign_ins")} ("expires_at")`,
      `create index ${t("pending_sign_ins_user_id_idx")} on ${t("pending_sign_ins")} ("user_id")`,
    ],
  },
  {
    // Why each session was revoked (the `sessionsRevoked` hook's reason), so that a browser
    // still holding its cookie can be told why it was signed out. Sessions revoked before
    // this keep null: the reason was never recorded.
    id: "0006_session_revoked_reason",
    statements: (t) => [`alter table ${t("sessions")} add column "revoked_reason" text`],
  },
];
