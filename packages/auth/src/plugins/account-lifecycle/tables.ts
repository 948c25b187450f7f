import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { CoreTables } from "../../schema/core-tables.js";
import type { TableNamer } from "../../schema/table-names.js";

const at = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const TOKEN_PURPOSES = ["verify_email", "reset_password", "change_email"] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

/**
 * One-time tokens mailed to the account's owner. Only the SHA-256 of a token is stored;
 * `bound_to` is a digest of what the token was issued for (the email it verifies, the
 * password hash it replaces), so the token dies as soon as that changes any other way.
 */
export function accountTokensTable(name: TableNamer, core: Pick<CoreTables, "users">) {
  return pgTable(
    name("account_tokens"),
    {
      id: uuid("id").primaryKey().defaultRandom(),
      userId: uuid("user_id")
        .notNull()
        .references(() => core.users.id, { onDelete: "cascade" }),
      purpose: text("purpose", { enum: TOKEN_PURPOSES }).notNull(),
      tokenHash: text("token_hash").notNull(),
      boundTo: text("bound_to").notNull(),
      /** The address an email change switches to. */
      newEmail: text("new_email"),
      createdAt: at("created_at").notNull(),
      expiresAt: at("expires_at").notNull(),
    },
    (table) => [
      uniqueIndex(name("account_tokens_token_hash_unique")).on(table.tokenHash),
      index(name("account_tokens_user_id_idx")).on(table.userId),
      index(name("account_tokens_expires_at_idx")).on(table.expiresAt),
    ],
  );
}

/**
 * The mail outbox: a message is written here in the transaction of the change that causes it
 * and delivered by the worker, with retries; `dedupe_key` (one per token and recipient) makes
 * a second copy of the same message impossible. The message is sealed (AES-256-GCM) while it
 * waits, since it carries a live link, and dropped once delivered.
 */
export function mailOutboxTable(name: TableNamer, core: Pick<CoreTables, "users">) {
  return pgTable(
    name("mail_outbox"),
    {
      id: bigserial("id", { mode: "number" }).primaryKey(),
      userId: uuid("user_id").references(() => core.users.id, { onDelete: "cascade" }),
      kind: text("kind").notNull(),
      dedupeKey: text("dedupe_key").notNull(),
      recipient: text("recipient").notNull(),
      /** The sealed message; null until prepared (a reset request) and after delivery. */
      sealed: text("sealed"),
      attempts: integer("attempts").notNull().default(0),
      nextAttemptAt: at("next_attempt_at").notNull(),
      /** A worker holds the row until then (its lease); another may take it after. */
      lockedUntil: at("locked_until"),
      sentAt: at("sent_at"),
      failedAt: at("failed_at"),
      lastError: text("last_error"),
      createdAt: at("created_at").notNull(),
    },
    (table) => [
      uniqueIndex(name("mail_outbox_dedupe_key_unique")).on(table.dedupeKey),
      index(name("mail_outbox_due_idx"))
        .on(table.nextAttemptAt)
        .where(sql`${table.sentAt} is null and ${table.failedAt} is null`),
      index(name("mail_outbox_created_at_idx")).on(table.createdAt),
      index(name("mail_outbox_user_id_idx")).on(table.userId),
    ],
  );
}

/** What the owner chose to be mailed about (a row only once they changed a default). */
export function mailPreferencesTable(name: TableNamer, core: Pick<CoreTables, "users">) {
  return pgTable(name("mail_preferences"), {
    userId: uuid("user_id")
      .primaryKey()
      .references(() => core.users.id, { onDelete: "cascade" }),
    newSignInAlerts: boolean("new_sign_in_alerts").notNull(),
  });
}

export type AccountLifecycleTables = {
  tokens: ReturnType<typeof accountTokensTable>;
  outbox: ReturnType<typeof mailOutboxTable>;
  preferences: ReturnType<typeof mailPreferencesTable>;
};

export function accountLifecycleTables(
  name: TableNamer,
  core: Pick<CoreTables, "users">,
): AccountLifecycleTables {
  return {
    tokens: accountTokensTable(name, core),
    outbox: mailOutboxTable(name, core),
    preferences: mailPreferencesTable(name, core),
  };
}

export type OutboxRow = AccountLifecycleTables["outbox"]["$inferSelect"];
