import { and, eq } from "drizzle-orm";
import type { Db, Tx } from "../db.js";
import type { CoreTables, UserRow } from "../schema/core-tables.js";
import { publicUserFields, type UserFieldDefinitions } from "./user-fields.js";

/** Trimmed and lower-cased: one account per mailbox, whatever the capitalisation. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The `password_hash` of an account made without a password (through an OpenID provider): no
 * argon2 hash, so no password ever verifies against it (the hasher answers `false`), until the
 * owner sets one through the password-reset mail.
 *
 * @example
 * if (!hasPassword(user)) offer("Set a password through the reset mail");
 */
export const NO_PASSWORD_HASH = "!no-password";

/**
 * Whether the account has a password of its own (see {@link NO_PASSWORD_HASH}).
 *
 * @example
 * hasPassword({ passwordHash: "$argon2id$v=19$…" }); // true
 */
export function hasPassword(user: Pick<UserRow, "passwordHash">): boolean {
  return !user.passwordHash.startsWith("!");
}

/**
 * What the API shows of a user: never the password hash. The host's public extra fields
 * (`userFields`) are in the same object at run time; the type names the core's only.
 */
export type PublicUser = {
  id: string;
  email: string;
  name: string | null;
  role: string;
  /** The owner proved they read mail at `email` (a link from it was opened). */
  emailVerified: boolean;
  createdAt: string;
};

export function toPublicUser(row: UserRow, fields: UserFieldDefinitions = {}): PublicUser {
  const user: PublicUser = {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    emailVerified: row.emailVerifiedAt !== null,
    createdAt: row.createdAt.toISOString(),
  };
  return { ...publicUserFields(fields, row.fields), ...user };
}

export async function insertUser(
  db: Db | Tx,
  t: CoreTables,
  input: {
    email: string;
    name: string | null;
    passwordHash: string;
    fields: Record<string, unknown>;
    nowMs: number;
    /** The address is known to be the user's already (an OpenID provider verified it). */
    emailVerified?: boolean;
  },
): Promise<UserRow> {
  const now = new Date(input.nowMs);
  const [row] = await db
    .insert(t.users)
    .values({
      email: normalizeEmail(input.email),
      name: input.name,
      passwordHash: input.passwordHash,
      fields: input.fields,
      emailVerifiedAt: input.emailVerified ? now : null,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return row!;
}

export async function findUserByEmail(
  db: Db,
  t: CoreTables,
  email: string,
): Promise<UserRow | undefined> {
  const [row] = await db
    .select()
    .from(t.users)
    .where(eq(t.users.email, normalizeEmail(email)));
  return row;
}

export async function findUserById(
  db: Db | Tx,
  t: CoreTables,
  id: string,
): Promise<UserRow | undefined> {
  const [row] = await db.select().from(t.users).where(eq(t.users.id, id));
  return row;
}

/** The user's row, locked until the transaction ends (administrative changes). */
export async function lockUser(tx: Tx, t: CoreTables, id: string): Promise<UserRow | undefined> {
  const [row] = await tx.select().from(t.users).where(eq(t.users.id, id)).for("update");
  return row;
}

export async function updateUser(
  db: Db | Tx,
  t: CoreTables,
  id: string,
  changes: Partial<
    Pick<UserRow, "passwordHash" | "role" | "disabledAt" | "email" | "name" | "emailVerifiedAt">
  >,
  nowMs: number,
): Promise<boolean> {
  const rows = await db
    .update(t.users)
    .set({ ...changes, updatedAt: new Date(nowMs) })
    .where(eq(t.users.id, id))
    .returning({ id: t.users.id });
  return rows.length > 0;
}

/**
 * The user row, locked against concurrent changes (`FOR SHARE`) until the transaction ends:
 * a password change or disable either waits for the sign-in, or the sign-in sees it.
 */
export async function lockUserForSignIn(
  tx: Tx,
  t: CoreTables,
  id: string,
): Promise<UserRow | undefined> {
  const [row] = await tx.select().from(t.users).where(eq(t.users.id, id)).for("share");
  return row;
}

/** Replaces a password hash only if it is still `expected` (rehash on sign-in). */
export async function replacePasswordHash(
  db: Db | Tx,
  t: CoreTables,
  id: string,
  hashes: { expected: string; next: string },
  nowMs: number,
): Promise<boolean> {
  const rows = await db
    .update(t.users)
    .set({ passwordHash: hashes.next, updatedAt: new Date(nowMs) })
    .where(and(eq(t.users.id, id), eq(t.users.passwordHash, hashes.expected)))
    .returning({ id: t.users.id });
  return rows.length > 0;
}

/** Deletes a user (sessions and plugin rows cascade); false when there was none. */
export async function deleteUserRow(tx: Tx, t: CoreTables, id: string): Promise<boolean> {
  const rows = await tx.delete(t.users).where(eq(t.users.id, id)).returning({ id: t.users.id });
  return rows.length > 0;
}
