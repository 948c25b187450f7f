import { and, eq } from "drizzle-orm";
import type { Db, Tx } from "../db";
import { users, type UserRow } from "../schema";

/** Trimmed and lower-cased: one account per mailbox, whatever the capitalisation. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** What the API shows of a user: never the password hash. */
export type PublicUser = {
  id: string;
  email: string;
  name: string | null;
  role: string;
  createdAt: string;
};

export function toPublicUser(row: UserRow): PublicUser {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function insertUser(
  db: Db | Tx,
  input: { email: string; name: string | null; passwordHash: string; nowMs: number },
): Promise<UserRow> {
  const now = new Date(input.nowMs);
  const [row] = await db
    .insert(users)
    .values({
      email: normalizeEmail(input.email),
      name: input.name,
      passwordHash: input.passwordHash,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return row!;
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(eq(users.email, normalizeEmail(email)));
  return row;
}

export async function findUserById(db: Db | Tx, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row;
}

export async function updateUser(
  db: Db | Tx,
  id: string,
  changes: Partial<Pick<UserRow, "passwordHash" | "role" | "disabledAt">>,
  nowMs: number,
): Promise<boolean> {
  const rows = await db
    .update(users)
    .set({ ...changes, updatedAt: new Date(nowMs) })
    .where(eq(users.id, id))
    .returning({ id: users.id });
  return rows.length > 0;
}

/**
 * The user row, locked against concurrent changes (`FOR SHARE`) until the transaction ends:
 * a password change or disable either waits for the sign-in, or the sign-in sees it.
 */
export async function lockUserForSignIn(tx: Tx, id: string) {
  const [row] = await tx
    .select({ passwordHash: users.passwordHash, role: users.role, disabledAt: users.disabledAt })
    .from(users)
    .where(eq(users.id, id))
    .for("share");
  return row;
}

/** Replaces a password hash only if it is still `expected` (rehash on sign-in). */
export async function replacePasswordHash(
  db: Db,
  id: string,
  expected: string,
  next: string,
  nowMs: number,
): Promise<boolean> {
  const rows = await db
    .update(users)
    .set({ passwordHash: next, updatedAt: new Date(nowMs) })
    .where(and(eq(users.id, id), eq(users.passwordHash, expected)))
    .returning({ id: users.id });
  return rows.length > 0;
}
