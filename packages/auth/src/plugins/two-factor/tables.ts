import { sql } from "drizzle-orm";
import { bigint, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { CoreTables } from "../../schema/core-tables.js";
import type { TableNamer } from "../../schema/table-names.js";

const at = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/**
 * A user's TOTP authenticator: one row per user, unconfirmed (`enabled_at` null) from setup
 * until a first code confirms it. `secret` is sealed (AES-256-GCM, the user id as associated
 * data; see `SecretBox`), never the base32 itself. `last_used_step` is the newest time step
 * a code was accepted for: a conditional update (`… where last_used_step < $step`) accepts
 * each step once, whatever the concurrency.
 */
export function totpTable(name: TableNamer, core: Pick<CoreTables, "users">) {
  return pgTable(
    name("two_factor_totp"),
    {
      userId: uuid("user_id")
        .primaryKey()
        .references(() => core.users.id, { onDelete: "cascade" }),
      secret: text("secret").notNull(),
      createdAt: at("created_at").notNull(),
      enabledAt: at("enabled_at"),
      lastUsedStep: bigint("last_used_step", { mode: "number" }).notNull().default(-1),
    },
    (table) => [
      // The retention job's range: setups never confirmed.
      index(name("two_factor_totp_unconfirmed_idx"))
        .on(table.createdAt)
        .where(sql`${table.enabledAt} is null`),
    ],
  );
}

/**
 * Recovery codes: only a SHA-256 of each (over the user id and the normalised code), single
 * use (`used_at`, set by a conditional update). A regeneration replaces them all.
 */
export function recoveryCodesTable(name: TableNamer, core: Pick<CoreTables, "users">) {
  return pgTable(
    name("two_factor_recovery_codes"),
    {
      id: uuid("id").primaryKey().defaultRandom(),
      userId: uuid("user_id")
        .notNull()
        .references(() => core.users.id, { onDelete: "cascade" }),
      codeHash: text("code_hash").notNull(),
      createdAt: at("created_at").notNull(),
      usedAt: at("used_at"),
    },
    (table) => [
      uniqueIndex(name("two_factor_recovery_codes_user_code_unique")).on(
        table.userId,
        table.codeHash,
      ),
    ],
  );
}

/**
 * The two-factor plugin's tables under the host's naming (TOTP secrets, recovery codes).
 *
 * @example
 * const tables = twoFactorTables(tableNamer(""), createCoreTables());
 */
export function twoFactorTables(name: TableNamer, core: Pick<CoreTables, "users">) {
  return { totp: totpTable(name, core), recoveryCodes: recoveryCodesTable(name, core) };
}

export type TwoFactorTables = ReturnType<typeof twoFactorTables>;
