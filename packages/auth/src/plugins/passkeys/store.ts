import { and, asc, count, eq, lt, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db.js";
import type { PasskeyDeviceType, PasskeyRow, PasskeysTables } from "./tables.js";

/** What the API shows of a passkey: never its key or credential id. */
export type PasskeyView = {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  deviceType: PasskeyDeviceType;
  backedUp: boolean;
};

export function passkeyView(row: PasskeyRow): PasskeyView {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    deviceType: row.deviceType,
    backedUp: row.backedUp,
  };
}

/** The passkeys table's queries. */
export class PasskeyStore {
  constructor(private readonly table: PasskeysTables["passkeys"]) {}

  /** A user's passkeys, oldest first. */
  listOf(db: Db | Tx, userId: string): Promise<PasskeyRow[]> {
    const t = this.table;
    return db.select().from(t).where(eq(t.userId, userId)).orderBy(asc(t.createdAt), asc(t.id));
  }

  async countOf(db: Db | Tx, userId: string): Promise<number> {
    const t = this.table;
    const [row] = await db.select({ n: count() }).from(t).where(eq(t.userId, userId));
    return row?.n ?? 0;
  }

  /** Whether the user holds any passkey (one index probe). */
  async hasAny(db: Db | Tx, userId: string): Promise<boolean> {
    const t = this.table;
    const rows = await db
      .select({ one: sql<number>`1` })
      .from(t)
      .where(eq(t.userId, userId))
      .limit(1);
    return rows.length > 0;
  }

  async byCredentialId(db: Db | Tx, credentialId: string): Promise<PasskeyRow | undefined> {
    const t = this.table;
    const [row] = await db.select().from(t).where(eq(t.credentialId, credentialId));
    return row;
  }

  async insert(tx: Tx, values: PasskeysTables["passkeys"]["$inferInsert"]): Promise<PasskeyRow> {
    const [row] = await tx.insert(this.table).values(values).returning();
    return row!;
  }

  async rename(
    db: Db | Tx,
    userId: string,
    id: string,
    name: string,
  ): Promise<PasskeyRow | undefined> {
    const t = this.table;
    const [row] = await db
      .update(t)
      .set({ name })
      .where(and(eq(t.id, id), eq(t.userId, userId)))
      .returning();
    return row;
  }

  async remove(tx: Db | Tx, userId: string, id: string): Promise<PasskeyRow | undefined> {
    const t = this.table;
    const [row] = await tx
      .delete(t)
      .where(and(eq(t.id, id), eq(t.userId, userId)))
      .returning();
    return row;
  }

  /**
   * Records a verified use: the new counter, the backup state the authenticator reports now,
   * and when. Conditional, so that of two uses racing with the same counter only one counts:
   * the counter must still be below the new one (or both zero: an authenticator without one).
   */
  async recordUse(
    db: Db | Tx,
    id: string,
    use: { newCounter: number; deviceType: PasskeyDeviceType; backedUp: boolean; at: Date },
  ): Promise<boolean> {
    const t = this.table;
    const rows = await db
      .update(t)
      .set({
        counter: use.newCounter,
        deviceType: use.deviceType,
        backedUp: use.backedUp,
        lastUsedAt: use.at,
      })
      .where(
        and(eq(t.id, id), use.newCounter === 0 ? eq(t.counter, 0) : lt(t.counter, use.newCounter)),
      )
      .returning({ id: t.id });
    return rows.length > 0;
  }
}
