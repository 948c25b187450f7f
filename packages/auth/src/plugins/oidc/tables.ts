import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { CoreTables } from "../../schema/core-tables.js";
import type { TableNamer } from "../../schema/table-names.js";

const at = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** What a flow was started for. */
export const FLOW_INTENTS = ["sign-in", "link", "reauthenticate"] as const;
export type FlowIntent = (typeof FLOW_INTENTS)[number];

/**
 * External identities: an account at a provider (`issuer`, `subject`: the provider's stable id
 * of its user, never the email) that signs in to one user. One per provider per user. Provider
 * tokens are kept only when the host asks (`keepTokens`), sealed (AES-256-GCM).
 */
export function oidcIdentitiesTable(name: TableNamer, core: Pick<CoreTables, "users">) {
  return pgTable(
    name("oidc_identities"),
    {
      id: uuid("id").primaryKey().defaultRandom(),
      userId: uuid("user_id")
        .notNull()
        .references(() => core.users.id, { onDelete: "cascade" }),
      /** The configured provider's id (`google`). */
      provider: text("provider").notNull(),
      issuer: text("issuer").notNull(),
      subject: text("subject").notNull(),
      /** The address the provider gave at the last sign-in (shown to the owner only). */
      email: text("email"),
      createdAt: at("created_at").notNull(),
      lastUsedAt: at("last_used_at"),
      /** Sealed provider tokens (`keepTokens` only), bound to this row's user. */
      accessToken: text("access_token"),
      refreshToken: text("refresh_token"),
      tokenExpiresAt: at("token_expires_at"),
    },
    (table) => [
      uniqueIndex(name("oidc_identities_issuer_subject_unique")).on(table.issuer, table.subject),
      uniqueIndex(name("oidc_identities_user_id_provider_unique")).on(table.userId, table.provider),
    ],
  );
}

/**
 * Flows in progress: one row per trip to the provider, deleted by the callback that uses it
 * (single use) and pruned once expired. The secrets (state, nonce, PKCE verifier) are not here:
 * they are in the browser's sealed HttpOnly cookie; the row holds the state's SHA-256, so a
 * cookie alone (replayed, or copied after its flow ended) opens nothing.
 */
export function oidcFlowsTable(name: TableNamer, core: Pick<CoreTables, "users" | "sessions">) {
  return pgTable(
    name("oidc_flows"),
    {
      id: uuid("id").primaryKey().defaultRandom(),
      stateHash: text("state_hash").notNull(),
      provider: text("provider").notNull(),
      intent: text("intent", { enum: FLOW_INTENTS }).notNull(),
      /** The signed-in user and session a `link` or `reauthenticate` flow belongs to. */
      userId: uuid("user_id").references(() => core.users.id, { onDelete: "cascade" }),
      sessionId: uuid("session_id").references(() => core.sessions.id, { onDelete: "cascade" }),
      /** Where a `reauthenticate` flow returns (a path of the app). */
      returnTo: text("return_to"),
      createdAt: at("created_at").notNull(),
      expiresAt: at("expires_at").notNull(),
    },
    (table) => [index(name("oidc_flows_expires_at_idx")).on(table.expiresAt)],
  );
}

/**
 * A provider identity whose verified email matches an existing account: held here (10
 * minutes, single use, bound to the browser by an HttpOnly cookie whose SHA-256 is
 * `token_hash`) until the owner signs in to that account and confirms the link.
 */
export function oidcPendingLinksTable(name: TableNamer, core: Pick<CoreTables, "users">) {
  return pgTable(
    name("oidc_pending_links"),
    {
      id: uuid("id").primaryKey().defaultRandom(),
      tokenHash: text("token_hash").notNull(),
      userId: uuid("user_id")
        .notNull()
        .references(() => core.users.id, { onDelete: "cascade" }),
      provider: text("provider").notNull(),
      issuer: text("issuer").notNull(),
      subject: text("subject").notNull(),
      email: text("email").notNull(),
      createdAt: at("created_at").notNull(),
      expiresAt: at("expires_at").notNull(),
    },
    (table) => [
      uniqueIndex(name("oidc_pending_links_token_hash_unique")).on(table.tokenHash),
      index(name("oidc_pending_links_expires_at_idx")).on(table.expiresAt),
    ],
  );
}

export type OidcTables = {
  identities: ReturnType<typeof oidcIdentitiesTable>;
  flows: ReturnType<typeof oidcFlowsTable>;
  pendingLinks: ReturnType<typeof oidcPendingLinksTable>;
};

/**
 * The OIDC plugin's tables under the host's naming: `oidc_identities`, `oidc_flows`,
 * `oidc_pending_links`.
 *
 * @example
 * const { identities } = oidcTables(tableNamer("auth_"), createCoreTables("auth_"));
 */
export function oidcTables(
  name: TableNamer,
  core: Pick<CoreTables, "users" | "sessions">,
): OidcTables {
  return {
    identities: oidcIdentitiesTable(name, core),
    flows: oidcFlowsTable(name, core),
    pendingLinks: oidcPendingLinksTable(name, core),
  };
}

export type IdentityRow = OidcTables["identities"]["$inferSelect"];
export type FlowRow = OidcTables["flows"]["$inferSelect"];
export type PendingLinkRow = OidcTables["pendingLinks"]["$inferSelect"];
