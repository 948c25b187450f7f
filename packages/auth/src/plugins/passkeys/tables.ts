import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  customType,
  index,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { CoreTables } from "../../schema/core-tables.js";
import type { TableNamer } from "../../schema/table-names.js";

const at = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** PostgreSQL `bytea` as a `Uint8Array` (PGlite answers one; postgres.js a `Buffer`, which is one). */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
  toDriver: (value) => Buffer.from(value.buffer, value.byteOffset, value.byteLength),
  fromDriver: (value) => new Uint8Array(value),
});

export const DEVICE_TYPES = ["singleDevice", "multiDevice"] as const;
export type PasskeyDeviceType = (typeof DEVICE_TYPES)[number];

/** What a ceremony's challenge was issued for. */
export const CHALLENGE_PURPOSES = [
  "register",
  "sign-in",
  "second-factor",
  "reauthenticate",
] as const;
export type ChallengePurpose = (typeof CHALLENGE_PURPOSES)[number];

/**
 * The users' WebAuthn credentials. The public key is public (it verifies, it cannot sign),
 * yet it never leaves the server: the API shows names, dates and the kind of device only.
 */
export function passkeysTable(name: TableNamer, core: Pick<CoreTables, "users">) {
  return pgTable(
    name("passkeys"),
    {
      id: uuid("id").primaryKey().defaultRandom(),
      userId: uuid("user_id")
        .notNull()
        .references(() => core.users.id, { onDelete: "cascade" }),
      /** The credential id, base64url (at most 1023 bytes once decoded). */
      credentialId: text("credential_id").notNull(),
      /** The COSE public key, as the authenticator gave it. */
      publicKey: bytea("public_key").notNull(),
      /** The signature counter last seen (0 for authenticators that keep none). */
      counter: bigint("counter", { mode: "number" }).notNull().default(0),
      transports: text("transports")
        .array()
        .notNull()
        .default(sql`'{}'::text[]`),
      /** `multiDevice`: a synced passkey (iCloud Keychain, Google Password Manager…). */
      deviceType: text("device_type", { enum: DEVICE_TYPES }).notNull(),
      backedUp: boolean("backed_up").notNull(),
      /** The owner's name for it, 1–64 characters. */
      name: text("name").notNull(),
      /** The authenticator model's AAGUID (all zeros when it tells none). */
      aaguid: text("aaguid").notNull(),
      createdAt: at("created_at").notNull(),
      lastUsedAt: at("last_used_at"),
    },
    (table) => [
      uniqueIndex(name("passkeys_credential_id_unique")).on(table.credentialId),
      index(name("passkeys_user_id_idx")).on(table.userId),
    ],
  );
}

/**
 * Outstanding WebAuthn challenges, each single use (deleted when presented) and alive for
 * five minutes. `browser_hash` is the SHA-256 of the random id in the browser's HttpOnly
 * challenge cookie, so a challenge works only in the browser it was handed to; `user_id` and
 * `session_id` bind the ceremonies of a known user (registration, second factor, step-up).
 */
export function webauthnChallengesTable(
  name: TableNamer,
  core: Pick<CoreTables, "users" | "sessions">,
) {
  return pgTable(
    name("webauthn_challenges"),
    {
      id: uuid("id").primaryKey().defaultRandom(),
      /** SHA-256 of the challenge, base64url. */
      challengeHash: text("challenge_hash").notNull(),
      /** SHA-256 of the browser's challenge-cookie id, base64url. */
      browserHash: text("browser_hash").notNull(),
      purpose: text("purpose", { enum: CHALLENGE_PURPOSES }).notNull(),
      userId: uuid("user_id").references(() => core.users.id, { onDelete: "cascade" }),
      sessionId: uuid("session_id").references(() => core.sessions.id, { onDelete: "cascade" }),
      createdAt: at("created_at").notNull(),
      expiresAt: at("expires_at").notNull(),
    },
    (table) => [
      uniqueIndex(name("webauthn_challenges_challenge_hash_unique")).on(table.challengeHash),
      index(name("webauthn_challenges_expires_at_idx")).on(table.expiresAt),
    ],
  );
}

export type PasskeysTables = {
  passkeys: ReturnType<typeof passkeysTable>;
  challenges: ReturnType<typeof webauthnChallengesTable>;
};

/**
 * The passkeys plugin's tables under the host's naming: `passkeys` and `webauthn_challenges`.
 *
 * @example
 * const { passkeys } = passkeysTables(tableNamer("auth_"), createCoreTables("auth_"));
 */
export function passkeysTables(
  name: TableNamer,
  core: Pick<CoreTables, "users" | "sessions">,
): PasskeysTables {
  return { passkeys: passkeysTable(name, core), challenges: webauthnChallengesTable(name, core) };
}

export type PasskeyRow = PasskeysTables["passkeys"]["$inferSelect"];
export type ChallengeRow = PasskeysTables["challenges"]["$inferSelect"];
