import { and, isNotNull, lt, or } from "drizzle-orm";
import { deleteBatch } from "../../retention/prune.js";
import type { RetentionTask } from "../../retention/retention.js";
import type { AccountLifecycleTables } from "./tables.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Tokens past their expiry (used ones are deleted when used). */
export function expiredTokensTask(tables: AccountLifecycleTables): RetentionTask {
  const t = tables.tokens;
  return {
    name: "expired-tokens",
    prune: ({ tx, nowMs, limit }) =>
      deleteBatch(tx, t, t.id, lt(t.expiresAt, new Date(nowMs)), limit),
  };
}

/**
 * Outbox receipts: delivered or given-up messages (their content is already gone) after
 * `keepDays`, on the `created_at` index.
 */
export function finishedMailTask(tables: AccountLifecycleTables, keepDays: number): RetentionTask {
  const t = tables.outbox;
  return {
    name: "finished-mail",
    prune: ({ tx, nowMs, limit }) =>
      deleteBatch(
        tx,
        t,
        t.id,
        and(
          lt(t.createdAt, new Date(nowMs - keepDays * DAY_MS)),
          or(isNotNull(t.sentAt), isNotNull(t.failedAt)),
        ),
        limit,
      ),
  };
}
