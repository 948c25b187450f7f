import { and, eq, gt, isNull } from "drizzle-orm";
import type { Db, Tx } from "../db.js";
import type { CoreTables } from "../schema/core-tables.js";

/** How long the password step waits for its second factor. */
export const PENDING_SIGN_IN_TTL_MS = 5 * 60 * 1000;

/** A sign-in whose password was right and whose second factor is still to come. */
export type PendingSignIn = {
  id: string;
  userId: string;
  /** The password hash that was verified: a change since then ends the pending sign-in. */
  passwordHash: string;
  newDevice: boolean;
};

export async function insertPendingSignIn(
  db: Db | Tx,
  t: CoreTables,
  input: {
    userId: string;
    tokenHash: string;
    passwordHash: string;
    newDevice: boolean;
    nowMs: number;
  },
): Promise<void> {
  await db.insert(t.pendingSignIns).values({
    userId: input.userId,
    tokenHash: input.tokenHash,
    passwordHash: input.passwordHash,
    newDevice: input.newDevice,
    createdAt: new Date(input.nowMs),
    expiresAt: new Date(input.nowMs + PENDING_SIGN_IN_TTL_MS),
  });
}

const pendingColumns = (t: CoreTables) => ({
  id: t.pendingSignIns.id,
  userId: t.pendingSignIns.userId,
  passwordHash: t.pendingSignIns.passwordHash,
  newDevice: t.pendingSignIns.newDevice,
});

/**
 * The unexpired, unused pending sign-in of a token hash whose account still has the verified
 * password and is not disabled.
 */
export async function findPendingSignIn(
  db: Db | Tx,
  t: CoreTables,
  tokenHash: string,
  nowMs: number,
): Promise<PendingSignIn | undefined> {
  const { pendingSignIns, users } = t;
  const [row] = await db
    .select(pendingColumns(t))
    .from(pendingSignIns)
    .innerJoin(users, eq(users.id, pendingSignIns.userId))
    .where(
      and(
        eq(pendingSignIns.tokenHash, tokenHash),
        isNull(pendingSignIns.consumedAt),
        gt(pendingSignIns.expiresAt, new Date(nowMs)),
        eq(users.passwordHash, pendingSignIns.passwordHash),
        isNull(users.disabledAt),
      ),
    );
  return row;
}

/**
 * Marks a pending sign-in used, once: `undefined` when it was used, expired or is unknown
 * (two requests racing with the same cookie: one wins).
 */
export async function consumePendingSignIn(
  tx: Tx,
  t: CoreTables,
  id: string,
  nowMs: number,
): Promise<PendingSignIn | undefined> {
  const { pendingSignIns } = t;
  const [row] = await tx
    .update(pendingSignIns)
    .set({ consumedAt: new Date(nowMs) })
    .where(
      and(
        eq(pendingSignIns.id, id),
        isNull(pendingSignIns.consumedAt),
        gt(pendingSignIns.expiresAt, new Date(nowMs)),
      ),
    )
    .returning(pendingColumns(t));
  return row;
}
