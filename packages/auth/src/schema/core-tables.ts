import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { tableNamer, type TableNamer } from "./table-names.js";

const timestampMs = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

function usersTable(name: TableNamer) {
  return pgTable(
    name("users"),
    {
      id: uuid("id").primaryKey().defaultRandom(),
      /** Trimmed and lower-cased before it is stored, so uniqueness is case-insensitive. */
      email: text("email").notNull(),
      name: text("name"),
      passwordHash: text("password_hash").notNull(),
      role: text("role").notNull().default("user"),
      /** The host's extra user fields (`userFields`), validated before they are stored. */
      fields: jsonb("fields").$type<Record<string, unknown>>().notNull().default({}),
      disabledAt: timestampMs("disabled_at"),
      /** When the owner proved they read mail at `email`; null until then. */
      emailVerifiedAt: timestampMs("email_verified_at"),
      createdAt: timestampMs("created_at").notNull(),
      updatedAt: timestampMs("updated_at").notNull(),
    },
    (table) => [uniqueIndex(name("users_email_unique")).on(table.email)],
  );
}

function sessionsTable(name: TableNamer, users: ReturnType<typeof usersTable>) {
  return pgTable(
    name("sessions"),
    {
      id: uuid("id").primaryKey().defaultRandom(),
      userId: uuid("user_id")
        .notNull()
        .references(() => users.id, { onDelete: "cascade" }),
      /** SHA-256 of the opaque session token, hex. The token itself is never stored. */
      tokenHash: text("token_hash").notNull(),
      /** The token this one replaced at the last rotation: accepted for a grace window only. */
      previousTokenHash: text("previous_token_hash"),
      /** When the token was last rotated (creation counts as the first). */
      rotatedAt: timestampMs("rotated_at").notNull(),
      createdAt: timestampMs("created_at").notNull(),
      lastSeenAt: timestampMs("last_seen_at").notNull(),
      /** The absolute expiry; the idle expiry is `last_seen_at` + the idle timeout. */
      expiresAt: timestampMs("expires_at").notNull(),
      revokedAt: timestampMs("revoked_at"),
      /**
       * Why it was revoked: the `sessionsRevoked` hook's reason (`signed_out`,
       * `password_changed`, `token_reuse_detected`…); null while live, and for sessions revoked
       * before the column existed.
       */
      revokedReason: text("revoked_reason"),
      userAgent: text("user_agent"),
      ip: text("ip"),
      /** When the user last proved who they are in this session: the sign-in or a step-up. */
      authTime: timestampMs("auth_time").notNull(),
      /** How the session signed in: `{password}`, `{password,totp}`, `{passkey}`… */
      signInMethods: text("sign_in_methods").array().notNull(),
    },
    (table) => [
      uniqueIndex(name("sessions_token_hash_unique")).on(table.tokenHash),
      index(name("sessions_previous_token_hash_idx")).on(table.previousTokenHash),
      index(name("sessions_user_id_idx")).on(table.userId),
    ],
  );
}

/**
 * Every session token rotated out of its session, kept while the session lives: any of them
 * coming back (after the grace window) means two parties hold the session — the OAuth
 * refresh-token family's rule.
 */
function sessionTokenHistoryTable(name: TableNamer, sessions: ReturnType<typeof sessionsTable>) {
  return pgTable(
    name("session_token_history"),
    {
      tokenHash: text("token_hash").primaryKey(),
      sessionId: uuid("session_id")
        .notNull()
        .references(() => sessions.id, { onDelete: "cascade" }),
      retiredAt: timestampMs("retired_at").notNull(),
    },
    (table) => [index(name("session_token_history_session_id_idx")).on(table.sessionId)],
  );
}

/**
 * Not-before events: access tokens of the subject issued before `not_before` are stale.
 * Kept for one access-token lifetime so a process that (re)starts can reload them.
 */
function revocationEventsTable(name: TableNamer) {
  return pgTable(
    name("revocation_events"),
    {
      id: bigserial("id", { mode: "number" }).primaryKey(),
      scope: text("scope", { enum: ["session", "user"] }).notNull(),
      subjectId: uuid("subject_id").notNull(),
      notBefore: timestampMs("not_before").notNull(),
    },
    (table) => [
      index(name("revocation_events_not_before_idx")).on(table.notBefore),
      check(name("revocation_events_scope_check"), sql`${table.scope} in ('session', 'user')`),
    ],
  );
}

/**
 * Sign-ins waiting for their second factor: the password was right, the session is not open
 * yet. The browser holds the opaque token (a short-lived cookie); only its hash is stored.
 * Bound to the password hash that was verified, so a password change ends it.
 */
function pendingSignInsTable(name: TableNamer, users: ReturnType<typeof usersTable>) {
  return pgTable(
    name("pending_sign_ins"),
    {
      id: uuid("id").primaryKey().defaultRandom(),
      userId: uuid("user_id")
        .notNull()
        .references(() => users.id, { onDelete: "cascade" }),
      tokenHash: text("token_hash").notNull(),
      passwordHash: text("password_hash").notNull(),
      /** Whether the browser already knew this account (the device cookie), for `signedIn`. */
      newDevice: boolean("new_device").notNull(),
      createdAt: timestampMs("created_at").notNull(),
      expiresAt: timestampMs("expires_at").notNull(),
      consumedAt: timestampMs("consumed_at"),
    },
    (table) => [
      uniqueIndex(name("pending_sign_ins_token_hash_unique")).on(table.tokenHash),
      index(name("pending_sign_ins_expires_at_idx")).on(table.expiresAt),
      index(name("pending_sign_ins_user_id_idx")).on(table.userId),
    ],
  );
}

/** Counters of rate-limiter-flexible's drizzle store, shared by every API process. */
function rateLimitsTable(name: TableNamer) {
  return pgTable(name("rate_limits"), {
    key: text("key").primaryKey(),
    points: integer("points").notNull(),
    expire: timestampMs("expire"),
  });
}

/**
 * The core's tables, named for a host's table prefix (`""` keeps the plain names).
 *
 * @example
 * const tables = createCoreTables("auth_"); // auth_users, auth_sessions, …
 */
export function createCoreTables(tablePrefix = "") {
  const name = tableNamer(tablePrefix);
  const users = usersTable(name);
  const sessions = sessionsTable(name, users);
  return {
    users,
    sessions,
    sessionTokenHistory: sessionTokenHistoryTable(name, sessions),
    revocationEvents: revocationEventsTable(name),
    pendingSignIns: pendingSignInsTable(name, users),
    rateLimits: rateLimitsTable(name),
  };
}

export type CoreTables = ReturnType<typeof createCoreTables>;
export type UserRow = CoreTables["users"]["$inferSelect"];
export type SessionRow = CoreTables["sessions"]["$inferSelect"];
