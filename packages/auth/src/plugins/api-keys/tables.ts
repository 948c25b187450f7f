import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

import type { CoreTables } from "../../schema/core-tables.js";
import type { TableNamer } from "../../schema/table-names.js";

const at = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/**
 * The users' API keys. Only the SHA-256 of a secret is stored (decision 032); a revoked key's
 * row is deleted (its revocation event stales every process's cache).
 */
export function apiKeysTable(name: TableNamer, core: Pick<CoreTables, "users">) {
  return pgTable(
    name("api_keys"),
    {
      /** Shown as `key_<id>`: the request's `sessionId` when the key authenticates it. */
      id: uuid("id").primaryKey().defaultRandom(),
      userId: uuid("user_id")
        .notNull()
        .references(() => core.users.id, { onDelete: "cascade" }),
      name: text("name").notNull(),
      /** The prefix and the first random characters, for the owner to recognise the key. */
      prefix: text("prefix").notNull(),
      /** SHA-256 of the whole secret, hex. */
      secretHash: text("secret_hash").notNull(),
      scopes: text("scopes").array().notNull(),
      createdAt: at("created_at").notNull(),
      lastUsedAt: at("last_used_at"),
      expiresAt: at("expires_at"),
    },
    (table) => [
      uniqueIndex(name("api_keys_secret_hash_unique")).on(table.secretHash),
      index(name("api_keys_user_id_idx")).on(table.userId),
    ],
  );
}

export type ApiKeysTable = ReturnType<typeof apiKeysTable>;
export type ApiKeyRow = ApiKeysTable["$inferSelect"];
