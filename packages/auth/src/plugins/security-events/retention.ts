import { asc, gt, lt, sql } from "drizzle-orm";
import { deleteBatch } from "../../retention/prune.js";
import { rowCount, type RetentionTask } from "../../retention/retention.js";
import type { CoreTables } from "../../schema/core-tables.js";
import type { SecurityEventsTable } from "./table.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Events older than the window, those of deleted or unknown accounts (no user) included; a
 * range on the `created_at` index, oldest first.
 */
export function eventWindowTask(table: SecurityEventsTable, keepDays: number): RetentionTask {
  return {
    name: "window",
    prune: ({ tx, nowMs, limit }) =>
      deleteBatch(
        tx,
        table,
        table.id,
        lt(table.createdAt, new Date(nowMs - keepDays * DAY_MS)),
        limit,
      ),
  };
}

/**
 * All but each account's newest `keepPerAccount` events (events sharing the boundary's
 * millisecond go together, so an account may keep a few less): a sweep over the users in key
 * order, `limit` accounts a batch, each account's boundary found on the `(user_id,
 * created_at)` index (`OFFSET keepPerAccount`), at most `limit` rows deleted a batch.
 */
export function perAccountCapTask(
  table: SecurityEventsTable,
  core: Pick<CoreTables, "users">,
  keepPerAccount: number,
): RetentionTask {
  const { users } = core;
  let cursor: string | undefined;
  return {
    name: "per-account",
    async prune({ tx, limit }) {
      const window = await tx
        .select({ id: users.id })
        .from(users)
        .where(cursor === undefined ? undefined : gt(users.id, cursor))
        .orderBy(asc(users.id))
        .limit(limit);
      const first = window[0]?.id;
      const last = window.at(-1)?.id;
      if (first === undefined || last === undefined) {
        cursor = undefined;
        return { deleted: 0, done: true };
      }
      // Per account, the (keepPerAccount + 1)-th newest time, read from the index alone
      // (an account under the cap costs a few index pages, no table rows); then that account's
      // events at or before it.
      const deleted = rowCount(
        await tx.execute(sql`
          delete from ${table} where ${table.id} in (
            select "surplus"."id" from ${users}
            cross join lateral (
              select ${table.createdAt} as "cutoff" from ${table}
              where ${table.userId} = ${users.id}
              order by ${table.createdAt} desc
              offset ${keepPerAccount} limit 1
            ) as "boundary"
            cross join lateral (
              select ${table.id} as "id" from ${table}
              where ${table.userId} = ${users.id} and ${table.createdAt} <= "boundary"."cutoff"
            ) as "surplus"
            where ${users.id} >= ${first} and ${users.id} <= ${last}
            limit ${limit}
          ) returning 1`),
      );
      // A full batch may have left surplus in this window: the next batch looks again.
      if (deleted >= limit) return { deleted, done: false };
      const done = window.length < limit;
      cursor = done ? undefined : last;
      return { deleted, done };
    },
  };
}
