import { and, asc, count, eq, gt, isNull, or, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db.js";
import type { CoreTables } from "../../schema/core-tables.js";
import { publicKeyId } from "./format.js";
import type { ApiKeyRow, ApiKeysTable } from "./tables.js";

/** What the API shows of a key: never its secret or hash. */
export type ApiKeyView = {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
};

export const apiKeyView = (row: ApiKeyRow): ApiKeyView => ({
  id: publicKeyId(row.id),
  name: row.name,
  prefix: row.prefix,
  scopes: row.scopes,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  expiresAt: row.expiresAt?.toISOString() ?? null,
});

/** A key that authenticates now, with its owner's role. */
export type ActiveKey = {
  /** The row id (a UUID; `publicKeyId` shows it). */
  id: string;
  userId: string;
  role: string;
  scopes: string[];
  expiresAt: Date | null;
};

/** The plugin's queries. */
export class ApiKeyStore {
  constructor(
    private readonly keys: ApiKeysTable,
    private readonly core: CoreTables,
  ) {}

  listOf(db: Db | Tx, userId: string): Promise<ApiKeyRow[]> {
    const { keys } = this;
    return db
      .select()
      .from(keys)
      .where(eq(keys.userId, userId))
      .orderBy(asc(keys.createdAt), asc(keys.id));
  }

  async countOf(tx: Db | Tx, userId: string): Promise<number> {
    const [row] = await tx
      .select({ n: count() })
      .from(this.keys)
      .where(eq(this.keys.userId, userId));
    return row?.n ?? 0;
  }

  async insert(tx: Tx, row: Omit<ApiKeyRow, "id">): Promise<ApiKeyRow> {
    const [inserted] = await tx.insert(this.keys).values(row).returning();
    return inserted!;
  }

  async remove(tx: Tx, userId: string, id: string): Promise<ApiKeyRow | undefined> {
    const { keys } = this;
    const [row] = await tx
      .delete(keys)
      .where(and(eq(keys.id, id), eq(keys.userId, userId)))
      .returning();
    return row;
  }

  /** Deletes every key of the user (a password reset). */
  async removeAllOf(tx: Db | Tx, userId: string): Promise<void> {
    await tx.delete(this.keys).where(eq(this.keys.userId, userId));
  }

  /**
   * The key with this secret hash if it authenticates at `nowMs`: unexpired, and its owner
   * exists and is not disabled. One query.
   */
  async findActive(db: Db, secretHash: string, nowMs: number): Promise<ActiveKey | undefined> {
    const { keys } = this;
    const { users } = this.core;
    const [row] = await db
      .select({
        id: keys.id,
        userId: keys.userId,
        role: users.role,
        scopes: keys.scopes,
        expiresAt: keys.expiresAt,
      })
      .from(keys)
      .innerJoin(users, eq(users.id, keys.userId))
      .where(
        and(
          eq(keys.secretHash, secretHash),
          or(isNull(keys.expiresAt), gt(keys.expiresAt, new Date(nowMs))),
          isNull(users.disabledAt),
        ),
      );
    return row;
  }

  /** Writes last-use times, never moving one backwards; one statement for the batch. */
  async recordLastUse(db: Db, uses: ReadonlyMap<string, number>): Promise<void> {
    if (uses.size === 0) return;
    const { keys } = this;
    const ids = [...uses.keys()]; // row ids
    const times = ids.map((id) => new Date(uses.get(id)!).toISOString());
    await db.execute(sql`
      update ${keys} set "last_used_at" = u.at
      from unnest(
        array[${sql.join(
          ids.map((id) => sql`${id}`),
          sql`, `,
        )}]::uuid[],
        array[${sql.join(
          times.map((time) => sql`${time}`),
          sql`, `,
        )}]::timestamptz[]
      ) as u(id, at)
      where ${keys.id} = u.id
        and (${keys.lastUsedAt} is null or ${keys.lastUsedAt} < u.at)`);
  }
}
