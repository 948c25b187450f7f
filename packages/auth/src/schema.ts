import { sql } from "drizzle-orm";
import {
  bigserial,
  integer,
  check,
  index,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const timestampMs = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Trimmed and lower-cased before it is stored, so uniqueness is case-insensitive. */
    email: text("email").notNull(),
    name: text("name"),
    passwordHash: text("password_hash").notNull(),
    role: text("role").notNull().default("user"),
    disabledAt: timestampMs("disabled_at"),
    createdAt: timestampMs("created_at").notNull(),
    updatedAt: timestampMs("updated_at").notNull(),
  },
  (table) => [uniqueIndex("users_email_unique").on(table.email)],
);

export const sessions = pgTable(
  "sessions",
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
    userAgent: text("user_agent"),
    ip: text("ip"),
  },
  (table) => [
    uniqueIndex("sessions_token_hash_unique").on(table.tokenHash),
    index("sessions_previous_token_hash_idx").on(table.previousTokenHash),
    index("sessions_user_id_idx").on(table.userId),
  ],
);

/**
 * Not-before events: access tokens of the subject issued before `not_before` are stale.
 * Kept for one access-token lifetime so a process that (re)starts can reload them.
 */
export const revocationEvents = pgTable(
  "revocation_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    scope: text("scope", { enum: ["session", "user"] }).notNull(),
    subjectId: uuid("subject_id").notNull(),
    notBefore: timestampMs("not_before").notNull(),
  },
  (table) => [
    index("revocation_events_not_before_idx").on(table.notBefore),
    check("revocation_events_scope_check", sql`${table.scope} in ('session', 'user')`),
  ],
);

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
] as const;
export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

/** What happened to an account, for its owner's activity list and for audits. */
export const securityEvents = pgTable(
  "security_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    sessionId: uuid("session_id"),
    type: text("type", { enum: SECURITY_EVENT_TYPES }).notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: timestampMs("created_at").notNull(),
  },
  (table) => [index("security_events_user_id_created_at_idx").on(table.userId, table.createdAt)],
);

/** Counters of rate-limiter-flexible's drizzle store, shared by every API process. */
export const rateLimits = pgTable("rate_limits", {
  key: text("key").primaryKey(),
  points: integer("points").notNull(),
  expire: timestampMs("expire"),
});

export const authSchema = { users, sessions, revocationEvents, securityEvents, rateLimits };

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
