import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase, type Db, type Tx } from "./database.js";
import { MAX_PREPARED_PARAMETERS } from "./prepared-statements.js";
import { testDatabaseUrl } from "./testing/env.js";

const url = testDatabaseUrl();

/**
 * Runs a one-parameter query twice on `tx`'s connection; returns how many named prepared
 * statements of it that connection holds (unnamed ones are not listed).
 */
async function preparedCopies(tx: Db | Tx): Promise<number> {
  const marker = `probe_${randomUUID().replaceAll("-", "")}`;
  for (const value of [1, 2]) {
    await tx.execute(sql`select ${value}::int + 1 as ${sql.raw(marker)}`);
  }
  const rows = (await tx.execute(
    sql`select count(*)::int as copies from pg_prepared_statements where statement like ${`%${marker}%`}`,
  )) as unknown as { copies: number }[];
  return rows[0]!.copies;
}

describe.skipIf(!url)("drizzle's queries on PostgreSQL", () => {
  it("run as named prepared statements, in transactions and savepoints alike", async () => {
    const database = await openDatabase({ url, maxConnections: 1 });
    try {
      await database.db.transaction(async (tx) => {
        expect(await preparedCopies(tx)).toBe(1);
        await tx.transaction(async (savepoint) => {
          expect(await preparedCopies(savepoint)).toBe(1);
        });
      });
      // One connection: what the pool ran outside a transaction is prepared on it too.
      expect(await preparedCopies(database.db)).toBe(1);
    } finally {
      await database.close();
    }
  });

  it("stay unprepared past MAX_PREPARED_PARAMETERS: a list whose length follows the data", async () => {
    const database = await openDatabase({ url, maxConnections: 1 });
    try {
      const marker = `probe_${randomUUID().replaceAll("-", "")}`;
      const listOf = (length: number) =>
        sql.join(
          Array.from({ length }, (_, i) => sql`${i}::int`),
          sql`, `,
        );
      for (const length of [MAX_PREPARED_PARAMETERS, MAX_PREPARED_PARAMETERS + 1]) {
        await database.db.execute(sql`select greatest(${listOf(length)}) as ${sql.raw(marker)}`);
      }
      const rows = (await database.db.execute(
        sql`select count(*)::int as copies from pg_prepared_statements where statement like ${`%${marker}%`}`,
      )) as unknown as { copies: number }[];
      expect(rows[0]!.copies).toBe(1);
    } finally {
      await database.close();
    }
  });

  it("stay unprepared with prepare: false (a pooler in transaction mode)", async () => {
    const database = await openDatabase({ url, maxConnections: 1, prepare: false });
    try {
      await database.db.transaction(async (tx) => {
        expect(await preparedCopies(tx)).toBe(0);
      });
    } finally {
      await database.close();
    }
  });
});
