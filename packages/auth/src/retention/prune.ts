import { inArray, type SQL } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Tx } from "../db.js";

/**
 * Deletes at most `limit` rows of `table` matching `where`, as
 * `DELETE … WHERE key IN (SELECT key … WHERE … LIMIT n)`, and returns how many it deleted:
 * the building block of a {@link RetentionTask}. Give `where` an index to use, or each batch
 * scans the table.
 *
 * @example
 * const task: RetentionTask = {
 *   name: "expired-codes",
 *   prune: ({ tx, nowMs, limit }) =>
 *     deleteBatch(tx, codes, codes.id, lt(codes.expiresAt, new Date(nowMs)), limit),
 * };
 */
export async function deleteBatch(
  tx: Tx,
  table: PgTable,
  key: PgColumn,
  where: SQL | undefined,
  limit: number,
): Promise<number> {
  const batch = tx.select({ key }).from(table).where(where).limit(limit);
  const deleted = await tx.delete(table).where(inArray(key, batch)).returning({ key });
  return deleted.length;
}
